#include "hs/psk13.hpp"

#include <algorithm>

#include "hs/client_auth.hpp"
#include "hs/common13.hpp"
#include "hs/psk_data.hpp"
#include "resume/ticket_keys.hpp"
#include "util/error_code.hpp"

namespace snr::hs {
namespace {

namespace ext = msg::ext;
using resume::kNsPerSecond;

constexpr uint64_t kNsPerMs = 1'000'000;

bool suite_offered(const Handshake& hs, const msg::ClientHello& ch, crypto::HashAlg hash) {
  for (uint16_t id : ch.cipher_suites) {
    const policy::CipherSuite* s = policy::find_suite(id);
    if (s && s->is_tls13() && s->implemented && s->hash == hash &&
        contains(hs.settings.policy->cipher_suites, id))
      return true;
  }
  return false;
}

// A hash-sized run of zeros: a placeholder binder, replaced once the hello is serialized.
Bytes zero_binder(crypto::HashAlg hash) { return Bytes(crypto::hash_size(hash), 0); }

// Server: the session state behind a ticket identity, when it is one of this server's tickets
// (or one the known-answer tests' seam knows).
std::optional<resume::SessionState> open_ticket(const Handshake& hs, ByteView identity,
                                                uint64_t now) {
  if (hs.settings.psk_state_override) return hs.settings.psk_state_override(identity);
  auto opened = hs.settings.config->ticket_keys->open(identity, now);
  if (!opened.ok()) return std::nullopt;
  auto state = resume::decode_state(opened->view());
  if (!state.ok()) return std::nullopt;
  return std::move(state).value();
}

}  // namespace

void settle_tls13(Handshake& hs) {
  hs.out->version = Version::TLS13;
  hs.out->flags |= flag::NEGOTIATED;
  if (hs.psk) {
    hs.out->resumed = !hs.psk->external;
    hs.out->psk_identity = hs.psk->identity;
    if (hs.psk->state) hs.out->keying_material_expiry = hs.psk->state->keying_material_expiry;
  } else {
    hs.out->flags |= flag::FULL_HANDSHAKE;
    hs.out->keying_material_expiry = hs.settings.config->now() + kKeyingMaterialLifetime;
  }
  if (!hs.session_id.empty()) hs.out->flags |= flag::MIDDLEBOX_COMPAT;
}

Status offer_psks(Handshake& hs, msg::ClientHello& ch) {
  hs.offered_psks.clear();
  for (const Psk& psk : hs.settings.external_psks) {
    const detail::PskData& d = psk.data();
    if (!suite_offered(hs, ch, d.hash)) continue;
    Handshake::Psk p;
    p.identity = d.identity;
    p.secret = d.secret;
    p.hash = d.hash;
    p.external = true;
    hs.offered_psks.push_back(std::move(p));
  }
  const resume::ClientSession* session = hs.settings.session;
  if (session && session->kind == resume::ClientSession::Kind::Ticket &&
      session->state.version == Version::TLS13) {
    const resume::SessionState& st = session->state;
    const policy::CipherSuite* suite = policy::find_suite(st.cipher_suite);
    const uint64_t now = hs.settings.config->now();
    // A stale ticket is simply not offered: the handshake is a full one.
    if (suite && resume::alive(st, now) && suite_offered(hs, ch, suite->hash)) {
      Handshake::Psk p;
      p.identity = session->id;
      p.secret = st.secret;
      p.hash = suite->hash;
      // RFC 8446 4.2.11.1: the age in milliseconds plus ticket_age_add, modulo 2^32.
      const uint64_t age = now > st.issue_time ? now - st.issue_time : 0;
      p.obfuscated_age = static_cast<uint32_t>(age / kNsPerMs) + st.ticket_age_add;
      p.state = st;
      hs.offered_psks.push_back(std::move(p));
    }
  }
  if (hs.offered_psks.empty()) return {};
  msg::Extensions& e = ch.ext;
  e.add(ext::psk_key_exchange_modes);
  // psk_dhe_ke only: a resumed session keeps forward secrecy.
  e.psk_key_exchange_modes = {kPskDheKe};
  e.psk_identities.clear();
  e.psk_binders.clear();
  for (const Handshake::Psk& p : hs.offered_psks) {
    e.psk_identities.push_back(msg::PskIdentity{p.identity, p.obfuscated_age});
    e.psk_binders.push_back(zero_binder(p.hash));
  }
  // RFC 8446 4.2.11: pre_shared_key is the last extension.
  e.order.erase(std::remove(e.order.begin(), e.order.end(), ext::pre_shared_key), e.order.end());
  e.order.push_back(ext::pre_shared_key);
  return {};
}

void retain_psks_for_suite(Handshake& hs, msg::ClientHello& ch) {
  if (hs.offered_psks.empty()) return;
  const crypto::HashAlg hash = hs.out->suite->hash;
  std::vector<Handshake::Psk> kept;
  msg::Extensions& e = ch.ext;
  e.psk_identities.clear();
  e.psk_binders.clear();
  for (Handshake::Psk& p : hs.offered_psks) {
    if (p.hash != hash) continue;
    e.psk_identities.push_back(msg::PskIdentity{p.identity, p.obfuscated_age});
    e.psk_binders.push_back(zero_binder(p.hash));
    kept.push_back(std::move(p));
  }
  hs.offered_psks = std::move(kept);
  if (hs.offered_psks.empty())
    e.order.erase(std::remove(e.order.begin(), e.order.end(), ext::pre_shared_key), e.order.end());
}

Status send_client_hello(Handshake& hs, msg::ClientHello& ch) {
  if (hs.offered_psks.empty() || !ch.ext.has(ext::pre_shared_key)) return send(hs, ch);
  Bytes& out = out_buffer(hs);
  SNR_TRY(msg::serialize(ch, out));
  // RFC 8446 4.2.11.2: each binder covers the ClientHello up to (not including) the binders
  // list, after whatever the transcript already holds (the HelloRetryRequest exchange).
  ByteView truncated = ByteView(out).first(out.size() - msg::psk_binders_size(ch.ext));
  for (size_t i = 0; i < hs.offered_psks.size(); ++i) {
    const Handshake::Psk& p = hs.offered_psks[i];
    SNR_TRY_ASSIGN(crypto::Digest h, hs.transcript.current_with(p.hash, truncated));
    keys::KeySchedule ks(p.hash);
    SNR_TRY(ks.early(p.secret.view()));
    SNR_TRY_ASSIGN(crypto::Digest binder, ks.binder(p.external, h.view()));
    ch.ext.psk_binders[i].assign(binder.view().begin(), binder.view().end());
  }
  out.clear();
  SNR_TRY(msg::serialize(ch, out));
  return emit(hs, out);
}

Status accept_server_psk(Handshake& hs, const msg::ServerHello& sh) {
  if (!sh.ext.has(ext::pre_shared_key)) {
    hs.psk.reset();
    return {};
  }
  // RFC 8446 4.2.11: "Clients MUST verify that the server's selected_identity is within the
  // range supplied by the client, that the server selected a cipher suite indicating a Hash
  // associated with the PSK".
  SNR_ENSURE(sh.ext.psk_selected_identity < hs.offered_psks.size(), Err::BAD_PSK);
  Handshake::Psk& p = hs.offered_psks[sh.ext.psk_selected_identity];
  const policy::CipherSuite* suite = policy::find_suite(sh.cipher_suite);
  SNR_ENSURE(suite && suite->hash == p.hash, Err::BAD_PSK);
  hs.psk = std::move(p);
  hs.psk_index = sh.ext.psk_selected_identity;
  hs.offered_psks.clear();
  // snr offers psk_dhe_ke only, so the server must have sent a key share.
  hs.psk_dhe = true;
  return {};
}

Result<std::optional<resume::ClientSession>> session_from_ticket(const Negotiated& neg,
                                                                 const detail::ConfigData& config,
                                                                 const std::string& server_name,
                                                                 const msg::NewSessionTicket& t) {
  SNR_ENSURE(t.lifetime <= kMaxTicketLifetime, Err::ILLEGAL_PARAMETER);
  // "A value of zero indicates that the ticket should be discarded immediately."
  if (t.lifetime == 0 || neg.suite == nullptr) return std::optional<resume::ClientSession>();
  const crypto::HashAlg hash = neg.suite->hash;
  SNR_ENSURE(neg.resumption_secret.len == crypto::hash_size(hash), Err::INTERNAL);
  SNR_TRY_ASSIGN(crypto::Digest psk,
                 keys::resumption_psk(hash, neg.resumption_secret.view(), t.nonce));
  resume::ClientSession s;
  s.kind = resume::ClientSession::Kind::Ticket;
  s.id = t.ticket;
  resume::SessionState& st = s.state;
  st.version = Version::TLS13;
  st.cipher_suite = neg.suite->iana;
  st.issue_time = config.now();
  st.lifetime = t.lifetime;
  st.ticket_age_add = t.age_add;
  st.keying_material_expiry = neg.keying_material_expiry;
  st.max_early_data = t.ext.has(ext::early_data) ? t.ext.max_early_data_size : 0;
  st.secret = SecureBytes(psk.view());
  st.alpn = neg.alpn;
  st.server_name = server_name;
  return std::optional<resume::ClientSession>(std::move(s));
}

Status select_psk(Handshake& hs, const msg::ClientHello& ch) {
  hs.psk.reset();
  const msg::Extensions& e = ch.ext;
  if (!e.has(ext::pre_shared_key)) return {};
  // RFC 8446 4.2.9: "Servers MUST NOT select a key exchange mode that is not listed by the
  // client"; a client offering a PSK without modes gets missing_extension (9.2 / 4.2.9).
  SNR_ENSURE(e.has(ext::psk_key_exchange_modes), Err::MISSING_PSK_MODES);
  const auto& modes = e.psk_key_exchange_modes;
  const bool dhe = std::find(modes.begin(), modes.end(), kPskDheKe) != modes.end() &&
                   e.has(ext::key_share) && e.has(ext::supported_groups);
  const bool plain = std::find(modes.begin(), modes.end(), kPskKe) != modes.end();
  if (!dhe && !plain) return {};

  // External PSKs and resumption are exclusive: a server with external keys takes only those,
  // the first identity (in the client's order) it knows.
  if (!hs.settings.external_psks.empty()) {
    for (size_t i = 0; i < e.psk_identities.size(); ++i) {
      for (const Psk& psk : hs.settings.external_psks) {
        const detail::PskData& d = psk.data();
        if (d.identity != e.psk_identities[i].identity || !suite_offered(hs, ch, d.hash)) continue;
        Handshake::Psk p;
        p.identity = d.identity;
        p.secret = d.secret;
        p.hash = d.hash;
        p.external = true;
        hs.psk = std::move(p);
        hs.psk_index = static_cast<uint16_t>(i);
        hs.psk_dhe = dhe;
        return {};
      }
    }
    return {};
  }
  const detail::ConfigData& cfg = *hs.settings.config;
  if (!hs.settings.psk_state_override && (!cfg.session_tickets || !cfg.ticket_keys)) return {};
  const uint64_t now = cfg.now();
  for (size_t i = 0; i < e.psk_identities.size(); ++i) {
    // An identity that is not a ticket of ours, or a stale one, is skipped: the client falls
    // back to a full handshake (RFC 8446 4.2.11).
    auto state = open_ticket(hs, e.psk_identities[i].identity, now);
    if (!state || state->version != Version::TLS13 || !resume::alive(*state, now)) continue;
    // A server that requires client auth resumes only client-authenticated sessions.
    if (!resumable_for_client_auth(hs, *state)) continue;
    const policy::CipherSuite* suite = policy::find_suite(state->cipher_suite);
    // "Any ticket MUST only be resumed with a cipher suite that has the same KDF hash
    // algorithm as that used to establish the original connection" (4.6.1).
    if (suite == nullptr || !suite_offered(hs, ch, suite->hash)) continue;
    Handshake::Psk p;
    p.identity = e.psk_identities[i].identity;
    p.obfuscated_age = e.psk_identities[i].obfuscated_ticket_age;
    p.secret = state->secret;
    p.hash = suite->hash;
    p.state = std::move(*state);
    hs.psk = std::move(p);
    hs.psk_index = static_cast<uint16_t>(i);
    hs.psk_dhe = dhe;
    return {};
  }
  return {};
}

Status verify_binder(Handshake& hs, const InMessage& in, const msg::ClientHello& ch) {
  if (!hs.psk) return {};
  const size_t binders = msg::psk_binders_size(ch.ext);
  SNR_ENSURE(binders > 0 && binders < in.whole.size(), Err::BAD_PSK);
  ByteView truncated = in.whole.first(in.whole.size() - binders);
  SNR_TRY_ASSIGN(crypto::Digest h, hs.transcript.current_with(hs.psk->hash, truncated));
  keys::KeySchedule ks(hs.psk->hash);
  SNR_TRY(ks.early(hs.psk->secret.view()));
  SNR_TRY_ASSIGN(crypto::Digest expect, ks.binder(hs.psk->external, h.view()));
  const Bytes& got = ch.ext.psk_binders[hs.psk_index];
  // RFC 8446 4.2.11: "If this value does not validate, the server MUST abort the handshake."
  SNR_ENSURE(got.size() == expect.len &&
                 (ct_equal(got, expect.view()) || crypto::null_crypto(hs.settings.provider)),
             Err::BAD_PSK_BINDER);
  return {};
}

Status send_tickets(Handshake& hs) {
  const detail::ConfigData& cfg = *hs.settings.config;
  if (!cfg.session_tickets || !cfg.ticket_keys || cfg.ticket_count == 0) return {};
  // A handshake on an external PSK stays in that mode (they are exclusive per connection).
  if (hs.psk && hs.psk->external) return {};
  const uint64_t now = cfg.now();
  const crypto::HashAlg hash = hs.out->suite->hash;
  if (hs.out->keying_material_expiry != 0 && now >= hs.out->keying_material_expiry) return {};
  crypto::Provider& p = *hs.settings.provider;
  for (uint16_t i = 0; i < cfg.ticket_count; ++i) {
    msg::NewSessionTicket t;
    SNR_TRY(p.random(MutByteView(reinterpret_cast<uint8_t*>(&t.age_add), sizeof t.age_add)));
    // Distinct per ticket of this connection; the resumption secret differs per connection.
    t.nonce = {static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)};
    SNR_TRY_ASSIGN(crypto::Digest psk,
                   keys::resumption_psk(hash, hs.out->resumption_secret.view(), t.nonce));
    resume::SessionState st;
    st.version = Version::TLS13;
    st.cipher_suite = hs.out->suite->iana;
    st.issue_time = now;
    st.ticket_age_add = t.age_add;
    st.keying_material_expiry = hs.out->keying_material_expiry;
    st.client_authenticated = client_authenticated(hs);
    st.secret = SecureBytes(psk.view());
    st.alpn = hs.out->alpn;
    st.server_name = hs.out->server_name;
    // RFC 8446 4.2.10: the ticket says how much early data the server will take with it.
    st.max_early_data = hs.settings.max_early_data;
    if (st.max_early_data > 0) {
      t.ext.add(ext::early_data);
      // RFC 9001 4.6.1: in QUIC the field only signals 0-RTT and must be 0xffffffff (QUIC
      // flow control bounds the data); the state keeps the real limit.
      t.ext.max_early_data_size = hs.settings.quic ? 0xffffffffu : st.max_early_data;
    }
    // The lifetime is bounded by the session-state lifetime, the keying material's end and
    // the RFC's week; the sealing key's remaining life bounds it once the key is chosen.
    uint64_t life =
        std::min<uint64_t>(cfg.session_state_lifetime, uint64_t{kMaxTicketLifetime} * kNsPerSecond);
    if (st.keying_material_expiry) life = std::min(life, st.keying_material_expiry - now);
    st.lifetime = static_cast<uint32_t>(life / kNsPerSecond);
    // The plaintext is sealed with the provisional lifetime; a shorter key life only shortens
    // what the client is told, and the server checks the key's own lifetime on opening.
    Bytes plain;
    SNR_TRY(resume::encode_state(st, plain));
    auto sealed = cfg.ticket_keys->seal(plain, now, p);
    secure_wipe(plain.data(), plain.size());
    // No usable key: no tickets, silently (s2n).
    if (!sealed.ok()) return {};
    t.lifetime = static_cast<uint32_t>(
        std::min<uint64_t>(st.lifetime, sealed->key_remaining / kNsPerSecond));
    if (t.lifetime == 0) return {};
    t.ticket = std::move(sealed->ticket);
    SNR_TRY(send(hs, t));
  }
  return {};
}

}  // namespace snr::hs
