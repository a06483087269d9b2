#include "hs/tickets12.hpp"

#include "hs/client_auth.hpp"
#include "hs/common12.hpp"
#include "resume/ticket_keys.hpp"
#include "util/error_code.hpp"

namespace snr::hs {
namespace {

namespace ext = msg::ext;
using resume::kNsPerSecond;

bool tickets12_enabled(const detail::ConfigData& cfg) {
  return cfg.session_tickets && !cfg.require_ticket_fs;
}

// The saved TLS 1.2 session a client offers, if any.
const resume::ClientSession* offered_session12(const Handshake& hs) {
  const resume::ClientSession* s = hs.settings.session;
  if (s == nullptr || s->state.version == Version::TLS13 || s->state.version == Version::Unknown)
    return nullptr;
  if (s->kind == resume::ClientSession::Kind::Ticket && !wants_tickets12(hs)) return nullptr;
  const resume::SessionState& st = s->state;
  const uint64_t now = hs.settings.config->now();
  if (!resume::alive(st, now)) return nullptr;
  return s;
}

// The state of this handshake's TLS 1.2 session, as tickets, the cache and the client's blob
// keep it (one place, so that the three cannot drift apart).
resume::SessionState session_state12(const Handshake& hs, uint64_t now, uint64_t lifetime_s,
                                     const std::string& server_name) {
  resume::SessionState st;
  st.version = hs.version;
  st.cipher_suite = hs.out->suite->iana;
  st.issue_time = now;
  st.lifetime = static_cast<uint32_t>(lifetime_s);
  st.extended_master_secret = hs.out->extended_master_secret;
  st.client_authenticated = client_authenticated(hs);
  st.secret = hs.out->master_secret;
  st.alpn = hs.out->alpn;
  st.server_name = server_name;
  return st;
}

}  // namespace

Status derive_resumed_keys12(Handshake& hs) {
  SNR_TRY_ASSIGN(hs.key_block, keys::key_block(*hs.out->suite, hs.version, hs.out->master_secret,
                                               hs.client_random, hs.server_random));
  if (hs.settings.key_log)
    hs.settings.key_log("CLIENT_RANDOM", hs.client_random, hs.out->master_secret.view());
  hs.out->client_random = hs.client_random;
  hs.out->server_random = hs.server_random;
  return {};
}

bool wants_tickets12(const Handshake& hs) { return tickets12_enabled(*hs.settings.config); }

void offer_session12(Handshake& hs, msg::ClientHello& ch) {
  const resume::ClientSession* s = offered_session12(hs);
  if (s && s->kind == resume::ClientSession::Kind::SessionId) {
    ch.session_id = s->id;
    hs.session_id = s->id;
  }
  if (!wants_tickets12(hs)) return;
  ch.ext.add(ext::session_ticket);
  // RFC 5077 3.4: with a ticket the client sends a session id; the server echoes it when it
  // resumes. snr's ClientHello always carries a random 32-byte id.
  if (s && s->kind == resume::ClientSession::Kind::Ticket) ch.ext.session_ticket = s->id;
}

Result<bool> client_resume12(Handshake& hs, const msg::ServerHello& sh, Version version) {
  const resume::ClientSession* s = offered_session12(hs);
  if (s == nullptr || sh.session_id.empty() || sh.session_id != hs.first_hello->session_id)
    return false;
  const resume::SessionState& st = s->state;
  // RFC 5246 7.4.1.3: a resumed session keeps its version and suite.
  SNR_ENSURE(st.version == version && st.cipher_suite == sh.cipher_suite, Err::ILLEGAL_PARAMETER);
  // RFC 7627 5.3: the extended master secret use must match the original session.
  SNR_ENSURE(st.extended_master_secret == sh.ext.has(ext::extended_master_secret),
             Err::BAD_EXTENDED_MASTER_SECRET);
  hs.resumed12 = true;
  hs.out->master_secret = st.secret;
  hs.out->extended_master_secret = st.extended_master_secret;
  SNR_TRY(derive_resumed_keys12(hs));
  return true;
}

void keep_issued_session12(Handshake& hs) {
  resume::ClientSession s;
  if (!hs.new_ticket12.empty()) {
    s.kind = resume::ClientSession::Kind::Ticket;
    s.id = std::move(hs.new_ticket12);
  } else if (!hs.session_id.empty()) {
    // A server without tickets may still cache the session under its id.
    s.kind = resume::ClientSession::Kind::SessionId;
    s.id = hs.session_id.to_vector();
  } else {
    return;
  }
  const detail::ConfigData& cfg = *hs.settings.config;
  // RFC 5077 3.3: a hint of 0 means "unspecified": the client's own limit applies.
  const uint64_t own = cfg.session_state_lifetime / kNsPerSecond;
  const uint64_t life =
      hs.new_ticket12_hint != 0 ? std::min<uint64_t>(hs.new_ticket12_hint, own) : own;
  s.state = session_state12(hs, cfg.now(), life, hs.settings.server_name);
  hs.out->issued_session = std::make_unique<resume::ClientSession>(std::move(s));
}

namespace {
// RFC 5246 F.1.4 suggests at most 24 hours; s2n keeps cache entries 6 hours.
constexpr uint64_t kCacheTtlSeconds = 6 * 3600;

// The state behind the client's ticket, if it is one of ours.
std::optional<resume::SessionState> state_from_ticket(const Handshake& hs,
                                                      const msg::ClientHello& ch, uint64_t now) {
  const detail::ConfigData& cfg = *hs.settings.config;
  if (!tickets12_enabled(cfg) || !cfg.ticket_keys || ch.ext.session_ticket.empty()) return {};
  auto opened = cfg.ticket_keys->open(ch.ext.session_ticket, now);
  if (!opened.ok()) return {};
  auto st = resume::decode_state(opened->view());
  if (!st.ok()) return {};
  return std::move(*st);
}

// The state the application's cache holds under the client's session id.
std::optional<resume::SessionState> state_from_cache(const Handshake& hs,
                                                     const msg::ClientHello& ch) {
  const detail::ConfigData& cfg = *hs.settings.config;
  if (!cfg.session_cache || ch.session_id.empty()) return {};
  std::optional<std::vector<uint8_t>> value = cfg.session_cache->retrieve(ch.session_id);
  if (!value) return {};
  auto st = resume::decode_state(*value);
  secure_wipe(value->data(), value->size());
  if (!st.ok()) return {};
  return std::move(*st);
}
}  // namespace

Result<bool> server_resume12(Handshake& hs, const msg::ClientHello& ch, Version version) {
  // Without a session id the client could not tell a resumption from a full handshake.
  if (ch.session_id.empty()) return false;
  const uint64_t now = hs.settings.config->now();
  std::optional<resume::SessionState> st = state_from_ticket(hs, ch, now);
  const bool from_cache = !st;
  if (!st) st = state_from_cache(hs, ch);
  if (!st || st->version != version) return false;
  if (!resume::alive(*st, now)) return false;
  const policy::CipherSuite* suite = policy::find_suite(st->cipher_suite);
  if (suite == nullptr || !suite->implemented || !suite_fits(*suite, version) ||
      !contains(ch.cipher_suites, suite->iana) ||
      !contains(hs.settings.policy->cipher_suites, suite->iana))
    return false;
  // RFC 7627 5.3: a session is resumed only with the same extended master secret use.
  if (st->extended_master_secret != ch.ext.has(ext::extended_master_secret)) return false;
  // A resumption does not authenticate the client again: a server that requires it resumes
  // only sessions whose full handshake did (SPEC 6.13).
  if (!resumable_for_client_auth(hs, *st)) return false;
  hs.resumed12 = true;
  hs.resumed_client_auth = st->client_authenticated;
  hs.out->suite = suite;
  hs.out->master_secret = std::move(st->secret);
  hs.out->extended_master_secret = st->extended_master_secret;
  hs.session_id = ch.session_id;
  if (from_cache) hs.out->cache_key = ch.session_id.to_vector();
  return true;
}

bool will_cache12(const Handshake& hs) { return hs.settings.config->session_cache.has_value(); }

Status store_session12(Handshake& hs) {
  const detail::ConfigData& cfg = *hs.settings.config;
  if (!hs.cache12 || !cfg.session_cache) return {};
  const resume::SessionState st = session_state12(
      hs, cfg.now(),
      std::min<uint64_t>(kCacheTtlSeconds, cfg.session_state_lifetime / kNsPerSecond),
      hs.out->server_name);
  Bytes value;
  SNR_TRY(resume::encode_state(st, value));
  cfg.session_cache->store(hs.session_id, value, std::chrono::seconds(st.lifetime));
  secure_wipe(value.data(), value.size());
  hs.out->cache_key = hs.session_id.to_vector();
  return {};
}

bool will_issue_ticket12(const Handshake& hs, const msg::ClientHello& ch) {
  const detail::ConfigData& cfg = *hs.settings.config;
  return tickets12_enabled(cfg) && cfg.ticket_keys && ch.ext.has(ext::session_ticket);
}

Status send_ticket12(Handshake& hs) {
  const detail::ConfigData& cfg = *hs.settings.config;
  const uint64_t now = cfg.now();
  const resume::SessionState st =
      session_state12(hs, now, cfg.session_state_lifetime / kNsPerSecond, hs.out->server_name);
  Bytes plain;
  SNR_TRY(resume::encode_state(st, plain));
  msg::NewSessionTicket12 t;
  auto sealed = cfg.ticket_keys->seal(plain, now, *hs.settings.provider);
  secure_wipe(plain.data(), plain.size());
  if (sealed.ok()) {
    t.lifetime_hint = static_cast<uint32_t>(
        std::min<uint64_t>(st.lifetime, sealed->key_remaining / kNsPerSecond));
    t.ticket = std::move(sealed->ticket);
    hs.out->flags |= flag::WITH_SESSION_TICKET;
  }
  return send(hs, t);
}

}  // namespace snr::hs
