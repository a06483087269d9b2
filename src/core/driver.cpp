// The poll driver: runs the handshake steps, frames and reads records, and is the only place
// that sends fatal alerts.
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/connection_state.hpp"
#include "core/default_config.hpp"
#include "hs/hostname.hpp"
#include "hs/psk13.hpp"
#include "hs/versions.hpp"
#include "record/null_protection.hpp"
#include "record/protection12.hpp"
#include "util/alerts.hpp"
#include "util/error_code.hpp"
#include "util/hex.hpp"
#include "wire/reader.hpp"

namespace snr::detail {

using msg::ContentType;
using msg::HandshakeType;

namespace {
// Application data bytes encrypted per poll_send call before returning to the caller.
constexpr size_t kMaxSendPerCall = 4 * record::kMaxPlaintext;
// SPEC 6.9: s2n's AES-GCM record limit per key (under RFC 8446 5.5's 2^24.5).
constexpr uint64_t kGcmRecordLimit = 23'726'565;

Pending pending(Blocked b) { return Pending{b}; }

// The whole handshake message at the start of `buf`, if it has fully arrived. A length over
// `limit` fails at once, before its bytes are waited for.
Result<std::optional<hs::InMessage>> first_message(ByteView buf, size_t limit) {
  wire::Reader r(buf);
  uint8_t type = 0;
  uint32_t len = 0;
  if (!r.u8(type) || !r.u24(len)) return std::optional<hs::InMessage>();
  SNR_ENSURE(len <= limit, Err::MAX_HANDSHAKE_MESSAGE_SIZE);
  if (r.remaining() < len) return std::optional<hs::InMessage>();
  ByteView whole = buf.first(4 + len);
  return std::optional<hs::InMessage>(
      hs::InMessage{static_cast<HandshakeType>(type), whole, whole.subspan(4)});
}

// One more of a counted peer event (ConnectionState::counts); past `limit` it is an error.
Status count_event(uint16_t& n, uint16_t limit, Err over) {
  SNR_ENSURE(n < limit, over);
  ++n;
  return {};
}
}  // namespace

const PolicyData& ConnectionState::policy() const {
  if (policy_override) return *policy_override;
  return *config->data().policy;
}

const Limits& ConnectionState::limits() const {
  static const Limits kDefaults;
  return config ? config->data().limits : kDefaults;
}

// --- HandshakeIo ---

Status ConnectionState::send_message(ByteView message) {
  // A flight's messages gather here until flushed: room for a typical flight at once.
  if (hs_out.capacity() == 0) hs_out.reserve(std::max<size_t>(message.size(), 2048));
  hs_out.insert(hs_out.end(), message.begin(), message.end());
  return {};
}

Status ConnectionState::flush_handshake_out() {
  if (hs_out.empty()) return {};
  Status s = rl.write(ContentType::handshake, hs_out);
  hs_out.clear();
  return s;
}

Status ConnectionState::send_change_cipher_spec() {
  SNR_TRY(flush_handshake_out());
  static constexpr uint8_t kCcs[1] = {1};
  return rl.write(ContentType::change_cipher_spec, kCcs);
}

Status ConnectionState::set_read_secret(const policy::CipherSuite& suite, ByteView secret) {
  // RFC 8446 5.1: a key change must fall on a record boundary; a handshake message may not
  // straddle it.
  SNR_ENSURE(hs_in.empty(), Err::HANDSHAKE_MSG_SPANS_KEY_CHANGE);
  return record::install_protection13(provider, suite, secret, rl.read_slot());
}

Status ConnectionState::set_write_secret(const policy::CipherSuite& suite, ByteView secret) {
  SNR_TRY(flush_handshake_out());
  return record::install_protection13(provider, suite, secret, rl.write_slot());
}

Status ConnectionState::set_read_keys12(const policy::CipherSuite& suite, Version version,
                                        const keys::DirectionKeys& keys) {
  SNR_ENSURE(hs_in.empty(), Err::HANDSHAKE_MSG_SPANS_KEY_CHANGE);
  SNR_TRY_ASSIGN(auto p, record::protection12_for(provider, suite, version, keys));
  rl.set_read_protection(std::move(p));
  return {};
}

Status ConnectionState::set_write_keys12(const policy::CipherSuite& suite, Version version,
                                         const keys::DirectionKeys& keys) {
  SNR_TRY(flush_handshake_out());
  SNR_TRY_ASSIGN(auto p, record::protection12_for(provider, suite, version, keys));
  rl.set_write_protection(std::move(p));
  return {};
}

void ConnectionState::install_key_log(hs::Settings& s) {
  if (!config->data().key_log) {
    s.key_log = nullptr;
    return;
  }
  // Reads the config at call time: a client hello callback may swap it.
  s.key_log = [this](std::string_view label, ByteView random, ByteView secret) {
    std::string line(label);
    line += ' ';
    line += to_hex(random);
    line += ' ';
    line += to_hex(secret);
    config->data().key_log(*owner, line);
  };
}

void ConnectionState::version_known(uint16_t record_version) {
  // Messages already written keep the version they were written under (the initial
  // ClientHello's 0x0301).
  (void)flush_handshake_out();
  rl.set_record_version(record_version);
}

void ConnectionState::set_early_data(hs::EarlyMode m, uint32_t limit) {
  early_mode = m;
  early_limit = limit;
}

Status ConnectionState::clear_write_key() {
  SNR_TRY(flush_handshake_out());
  rl.set_write_protection(nullptr);
  return {};
}

// --- failure ---

Error ConnectionState::fail(Error e) {
  if (e.kind() == ErrorKind::Blocked) return e;
  if (failed) return *failed;
  int a = alert_for(err_of(e));
  if (e.kind() != ErrorKind::Alert && a >= 0 && !alert_sent && !write_closed) {
    // Whatever handshake output was pending is dropped: the alert replaces it. QUIC sends no
    // alert records: the alert goes to the application in the error (RFC 9001 4.8).
    hs_out.clear();
    const uint8_t rec[2] = {2, static_cast<uint8_t>(a)};
    if (!quic_on() && rl.write(ContentType::alert, rec).ok()) {
      alert_sent = true;
      (void)flush();
    }
    e.with_alert(static_cast<uint8_t>(a));
  }
  read_closed = write_closed = true;
  hs.reset();
  failed = e;
  // s2n: a connection that fails takes its session out of the session-ID cache.
  if (!neg.cache_key.empty() && config && config->data().session_cache) {
    config->data().session_cache->remove(neg.cache_key);
    neg.cache_key.clear();
  }
  after_failure(e);
  return e;
}

// --- I/O of records ---

Poll<void> ConnectionState::flush() {
  if (quic_on()) return quic_state().flush();
  while (!rl.output_empty()) {
    ByteView out = rl.pending_output();
    out = out.first(std::min(out.size(), send_limit()));
    errno = 0;
    int n = io_send(out.data(), out.size());
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return pending(Blocked::OnWrite);
      if (!has_io()) return make_error(Err::NO_IO);
      return make_error(Err::IO, std::strerror(errno)).with_errno(errno);
    }
    if (n == 0) return make_error(Err::IO, "send returned 0");
    rl.consume_output(static_cast<size_t>(n));
  }
  return Ready{};
}

Poll<std::optional<record::Record>> ConnectionState::read_record(MutByteView direct) {
  for (;;) {
    auto r = rl.take_record(direct);
    if (!r.ok()) return std::move(r).error();
    if (r->has_value()) return std::move(*r);
    size_t want = rl.read_want();
    MutByteView space = rl.read_space(want);
    errno = 0;
    int n = io_recv(space.data(), space.size());
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        // The input buffer is kept while records keep coming and dropped once the peer
        // goes quiet: an idle connection holds none.
        if (app_pending.empty()) rl.release_input();
        return pending(Blocked::OnRead);
      }
      if (!has_io()) return make_error(Err::NO_IO);
      return make_error(Err::IO, std::strerror(errno)).with_errno(errno);
    }
    // EOF between records ends the stream; EOF inside one is a truncation.
    if (n == 0 && !rl.input_empty())
      return make_error(Err::CLOSED, "connection closed in the middle of a record");
    if (n == 0) return std::optional<record::Record>();
    rl.commit_read(static_cast<size_t>(n));
  }
}

Status ConnectionState::on_alert(const record::Record& rec) {
  wire::Reader r(rec.data);
  uint8_t level = 0, desc = 0;
  SNR_ENSURE(r.u8(level) && r.u8(desc) && r.empty(), Err::DECODE);
  if (desc == alert::close_notify) {
    read_closed = true;
    return {};
  }
  // RFC 8446 6.1: user_canceled is the one alert that is not fatal; a close_notify follows.
  if (desc == alert::user_canceled) return {};
  // TLS 1.2 and older: an application that opted in drops warnings (RFC 5246 7.2), a bounded
  // number in a row. TLS 1.3 ignores the level (RFC 8446 6.2).
  if (level == 1 && config && config->data().alert_behavior == AlertBehavior::IgnoreWarnings &&
      neg.version != Version::Unknown && neg.version < Version::TLS13)
    return count_event(counts.warning_alerts, limits().max_warning_alerts,
                       Err::TOO_MANY_WARNING_ALERTS);
  peer_alert = desc;
  read_closed = write_closed = true;
  return make_error(Err::ALERT).with_alert(desc);
}

Poll<hs::InMessage> ConnectionState::next_handshake_message() {
  for (;;) {
    auto whole = first_message(hs_in, limits().max_handshake_message);
    if (!whole.ok()) return std::move(whole).error();
    if (whole->has_value()) return **whole;
    if (quic_on()) {
      auto q = quic_read();
      if (q.is_pending()) return pending(q.blocked());
      if (q.is_error()) return q.error();
      continue;
    }
    auto pr = read_record();
    if (pr.is_pending()) return pending(pr.blocked());
    if (pr.is_error()) {
      // Rejected 0-RTT: records that do not decrypt are skipped, up to the early data limit
      // (RFC 8446 4.2.10).
      if (early_mode == hs::EarlyMode::ServerSkipping && err_of(pr.error()) == Err::DECRYPT) {
        early_count += static_cast<uint32_t>(rl.last_record_length());
        if (early_count > early_limit) return make_error(Err::MAX_EARLY_DATA_SIZE);
        continue;
      }
      return pr.error();
    }
    if (!pr.value())
      return make_error(Err::CLOSED, "peer closed the connection during the handshake");
    const record::Record& rec = *pr.value();
    // The first record that decrypts ends the skipping.
    if (early_mode == hs::EarlyMode::ServerSkipping && rec.encrypted)
      early_mode = hs::EarlyMode::None;
    switch (rec.type) {
      case ContentType::handshake:
        // SPEC 6.12: an SSLv2-format CLIENT-HELLO is one whole message in one record (the
        // record layer allows it only as a server's first record).
        if (rec.sslv2) {
          sslv2_hello = true;
          if (rec.data.size() > limits().max_handshake_message)
            return make_error(Err::MAX_HANDSHAKE_MESSAGE_SIZE);
          hs_in.assign(rec.data.begin(), rec.data.end());
          return hs::InMessage{HandshakeType::client_hello, hs_in, ByteView(hs_in).subspan(1),
                               true};
        }
        // RFC 8446 5.1: "Implementations MUST NOT send zero-length fragments of Handshake types".
        if (rec.data.empty()) return make_error(Err::EMPTY_RECORD);
        hs_in.insert(hs_in.end(), rec.data.begin(), rec.data.end());
        break;
      case ContentType::change_cipher_spec:
        if (rec.data.size() != 1 || rec.data[0] != 1) return make_error(Err::BAD_CCS);
        // TLS 1.2: the CCS is part of the handshake; only a step waiting for it takes it, and
        // never in the middle of a handshake message (RFC 5246 7.1).
        if (hs->row().accepts & hs::kAcceptsCcs) {
          if (!hs_in.empty() || rec.encrypted) return make_error(Err::CCS_NOT_ALLOWED);
          return hs::InMessage{hs::kChangeCipherSpec, {}, {}};
        }
        // RFC 8446 5: an unprotected CCS of the single byte 0x01 is dropped during the TLS 1.3
        // handshake (once the first ClientHello has been sent or received).
        if (rec.encrypted || ccs_seen ||
            (hs->version != Version::TLS13 && hs->version != Version::Unknown))
          return make_error(Err::CCS_NOT_ALLOWED);
        if (rec.data.size() != 1 || rec.data[0] != 1) return make_error(Err::BAD_CCS);
        if (mode == Mode::Server && hs->step == 0) return make_error(Err::CCS_NOT_ALLOWED);
        ccs_seen = true;
        break;
      case ContentType::alert: {
        const uint16_t warnings = counts.warning_alerts;
        Status s = on_alert(rec);
        if (!s.ok()) return std::move(s).error();
        if (counts.warning_alerts != warnings) break;  // an ignored TLS 1.2 warning
        return make_error(Err::CLOSED, "close_notify received during the handshake");
      }
      case ContentType::application_data: {
        Status s = on_early_record(rec);
        if (!s.ok()) return std::move(s).error();
        break;
      }
    }
  }
}

Status ConnectionState::on_early_record(const record::Record& rec) {
  const bool keep = early_mode == hs::EarlyMode::ServerReceiving && rec.encrypted;
  // After a HelloRetryRequest the server reads plaintext: the early records are skipped.
  const bool skip = early_mode == hs::EarlyMode::ServerSkipping && !rec.encrypted;
  if (!keep && !skip)
    return make_error(Err::UNEXPECTED_MESSAGE, "application data during the handshake");
  const size_t n = skip ? rl.last_record_length() : rec.data.size();
  // RFC 8446 4.2.10: more than max_early_data_size is an unexpected_message.
  SNR_ENSURE(n <= early_limit - early_count, Err::MAX_EARLY_DATA_SIZE);
  early_count += static_cast<uint32_t>(n);
  if (keep) early_in.insert(early_in.end(), rec.data.begin(), rec.data.end());
  return {};
}

// --- handshake ---

Status ConnectionState::start_handshake() {
  if (!config) {
    SNR_TRY_ASSIGN(Config c, default_config(mode));
    config = std::move(c);
  }
  hs::Settings s;
  s.mode = mode;
  s.config = &config->data();
  s.policy = &policy();
  s.provider = provider;
  s.verify_host = verify_host ? &verify_host : &config->data().verify_host;
  s.client_auth = client_auth_type(*this);
  // Sent and checked without a trailing dot (RFC 6066 3); server_name() keeps what was set.
  s.server_name = hs::sni_host_name(server_name);
  s.alpn = alpn ? &*alpn : &config->data().alpn;
  s.client_hello_override = test_client_hello;
  if (session_in) s.session = &*session_in;
  s.external_psks = psks;
  s.send_early_data = early_wanted;
  s.max_early_data = max_early_data.value_or(config->data().max_early_data);
  s.decide_early_data = [this](ByteView) -> std::optional<bool> {
    if (early_decision) return *early_decision;
    const EarlyDataCallback& cb = config->data().early_data_cb;
    if (!cb) return true;
    if (early_deferred) return std::nullopt;
    switch (cb(*owner, OfferedEarlyData{neg.max_early_data})) {
      case EarlyDataDecision::Accept:
        return true;
      case EarlyDataDecision::Reject:
        return false;
      case EarlyDataDecision::Defer:
        break;
    }
    early_deferred = true;
    return std::nullopt;
  };
  s.version_cap = test_max_version;
  // Both read the config in force when called (the client hello callback may swap it).
  s.pkey_offload = [this](const hs::PkeyRequest& req) -> Result<std::optional<SecureBytes>> {
    return offload_private_key(req);
  };
  s.cert_validation = [this](std::span<const Certificate> path) -> Status {
    const CertValidationCallback& cb = config->data().cert_validation_cb;
    if (!cb) return {};
    CertValidationInfo info{path};
    if (!cb(*owner, info)) return make_error(Err::CERT_REJECTED);
    return {};
  };
  if (mode == Mode::Client && config->data().cert_request_cb) {
    s.cert_request = [this](std::span<const uint16_t> schemes, std::span<const Bytes> cas) {
      return certificate_request(schemes, cas);
    };
  }
  install_key_log(s);
  // A server with external PSKs may have no certificate (PSK-only peers).
  if (mode == Mode::Server)
    SNR_ENSURE(config->data().has_cert() || !psks.empty(), Err::NO_CERTIFICATE);
  SNR_ENSURE(hs::has_offered_suite(policy()), Err::POLICY_CIPHERS_NOT_OFFERED);
  if (quic_on()) quic_configure(s);
  hs = hs::start(std::move(s), &neg);
  hs->io = quic_on() ? static_cast<hs::HandshakeIo*>(quic.get()) : this;
  rl.set_record_version(msg::version::TLS10);
  if (mode == Mode::Server) rl.allow_sslv2_hello();
  return {};
}

Poll<void> ConnectionState::negotiate() {
  if (failed) return *failed;
  if (complete) {
    auto f = flush();
    if (f.is_error()) return fail(f.error());
    return f;
  }
  if (!hs) {
    // SPEC 3: the initializer comes first; what it sets (name, ALPN, policy) is what the
    // handshake starts with (conn_initializer.cpp).
    auto init = connection_initializer();
    if (init.is_pending()) return await_application();
    if (init.is_error()) return fail(init.error());
    Status s = start_handshake();
    if (!s.ok()) return fail(std::move(s).error());
  }
  // Corked while this side writes; uncork() lets the flight go when it waits for the peer.
  if (Status c = set_cork(true); !c.ok()) return fail(std::move(c).error());
  for (;;) {
    Result<hs::Outcome> r = hs::Outcome{};
    if (pkey_op) {
      // A step waits for the private key callback (private_key.cpp).
      auto pk = poll_private_key();
      if (pk.is_pending()) return uncork(await_application());
      if (pk.is_error()) return fail(pk.error());
    }
    if (held_in) {
      // The receiving step that paused runs again with its message (still in hs_cur).
      const hs::InMessage in = *held_in;
      held_in.reset();
      r = hs::run_step(*hs, &in);
      if (r.ok() && r->kind == hs::Outcome::Kind::Pause) held_in = in;
    } else if (hello_held) {
      // The first ClientHello (in hs_cur) goes to its step once the client hello callback
      // is through (client_hello_callback.cpp).
      auto cb = client_hello_callback();
      if (cb.is_pending()) return uncork(await_application());
      if (cb.is_error()) return fail(cb.error());
      hello_held = false;
      const bool sslv2 = hello_held_sslv2;
      hs::InMessage in{HandshakeType::client_hello, hs_cur, ByteView(hs_cur).subspan(sslv2 ? 1 : 4),
                       sslv2};
      r = hs::run_step(*hs, &in);
    } else if (hs->expects_message()) {
      Status fs = flush_handshake_out();
      if (!fs.ok()) return fail(std::move(fs).error());
      auto f = flush();
      if (f.is_pending()) return f;
      if (f.is_error()) return fail(f.error());
      // poll_send_early_data: the early data goes out before the server's answer is read.
      if (early_stop && early_mode == hs::EarlyMode::ClientSending)
        return uncork(pending(Blocked::OnRead));
      auto m = next_handshake_message();
      if (m.is_pending()) return uncork(pending(m.blocked()));
      if (m.is_error()) return fail(m.error());
      const auto type = m.value().type;
      if (type == hs::kChangeCipherSpec) {
        r = hs::run_step(*hs, &m.value());
      } else {
        if (static_cast<uint8_t>(type) >= 31 || (hs->row().accepts & hs::accepts(type)) == 0)
          return fail(make_error(Err::UNEXPECTED_MESSAGE,
                                 std::string("expected ") + std::string(hs->step_name())));
        // The message leaves hs_in before its step runs, so that a key change in the step
        // sees exactly the bytes that follow it.
        const size_t used = m.value().whole.size();
        if (used == hs_in.size()) {
          hs_cur.swap(hs_in);
          hs_in.clear();
        } else {
          hs_cur.assign(hs_in.begin(), hs_in.begin() + static_cast<std::ptrdiff_t>(used));
          hs_in.erase(hs_in.begin(), hs_in.begin() + static_cast<std::ptrdiff_t>(used));
        }
        const bool sslv2 = m.value().sslv2;
        hs::InMessage in{type, hs_cur, ByteView(hs_cur).subspan(sslv2 ? 1 : 4), sslv2};
        // Kept for Connection::client_hello(); the step below judges the message, so a hello
        // this parser refuses is simply not kept.
        if (mode == Mode::Server && type == HandshakeType::client_hello && !client_hello) {
          auto ch = sslv2 ? ClientHello::parse_sslv2(hs_cur) : ClientHello::parse(hs_cur);
          if (ch.ok()) client_hello = std::make_unique<ClientHello>(std::move(ch).value());
        }
        if (mode == Mode::Server && type == HandshakeType::client_hello &&
            hello_cb == HelloCb::NotRun) {
          hello_held = true;
          hello_held_sslv2 = sslv2;
          continue;
        }
        r = hs::run_step(*hs, &in);
        if (r.ok() && r->kind == hs::Outcome::Kind::Pause) held_in = in;
      }
    } else {
      r = hs::run_step(*hs, nullptr);
    }
    if (!r.ok()) return fail(std::move(r).error());
    // RFC 6066 4: records follow a negotiated max_fragment_length from here on, both ways.
    if (neg.max_fragment_length != 0) rl.set_fragment_limit(neg.max_fragment_length);
    if (r->kind == hs::Outcome::Kind::Pause) {
      // A private-key operation's future is polled at once (SPEC 3), at the top of the loop.
      if (pkey_op) continue;
      // SPEC 3: pending on an application decision needs a waker to say when to poll again.
      return uncork(await_application());
    }
    if (r->kind == hs::Outcome::Kind::Done) {
      Status fs = flush_handshake_out();
      if (!fs.ok()) return fail(std::move(fs).error());
      complete = true;
      // The handshake object (transcript, key shares) is not needed any more.
      hs.reset();
      if (neg.issued_session) {
        const resume::ClientSession session = std::move(*neg.issued_session);
        neg.issued_session.reset();
        Status ss = on_session(session, session.state.lifetime);
        if (!ss.ok()) return fail(std::move(ss).error());
      }
      // QUIC may already have handed over post-handshake messages.
      if (!quic_on()) Bytes().swap(hs_in);
      Bytes().swap(hs_cur);
      Bytes().swap(hs_out);
      auto f = flush();
      if (f.is_error()) return fail(f.error());
      // An idle connection keeps no buffers (the handshake's output was sent).
      if (f.is_ready()) {
        rl.release_output();
        rl.release_input();
      }
      return uncork(f);
    }
  }
}

// --- application data ---

Poll<size_t> ConnectionState::send(ByteView data) {
  if (failed) return *failed;
  if (quic_on()) return make_error(Err::UNSUPPORTED_WITH_QUIC);
  if (!complete) return make_error(Err::NOT_NEGOTIATED);
  if (write_closed) return make_error(Err::CLOSED);
  auto f = flush();
  if (f.is_pending()) return pending(Blocked::OnWrite);
  if (f.is_error()) return fail(f.error());
  if (data.empty()) return size_t{0};
  ByteView chunk = data.first(std::min(data.size(), kMaxSendPerCall));
  // SPEC 6.9: AES-GCM keys are changed well before their safety limit (RFC 8446 5.5); an
  // update the application asked for goes first too.
  if (neg.version == Version::TLS13 && rl.write_protection() != nullptr) {
    const size_t records = (chunk.size() + record::kMaxPlaintext - 1) / record::kMaxPlaintext;
    const bool gcm = neg.suite && neg.suite->cipher != policy::BulkCipher::CHACHA20_POLY1305;
    if (key_update_pending ||
        (gcm && rl.write_protection()->sequence() + records >= kGcmRecordLimit)) {
      Status ku = send_key_update(key_update_pending && key_update_ask_peer ? 1 : 0);
      if (!ku.ok()) return fail(std::move(ku).error());
    }
  }
  Status s = write_application_data(chunk);
  if (!s.ok()) return fail(std::move(s).error());
  // The bytes are accepted once encrypted; a blocked flush finishes on the next call.
  auto f2 = flush();
  if (f2.is_error()) return fail(f2.error());
  return chunk.size();
}

Status ConnectionState::write_application_data(ByteView data) {
  const size_t fragment = fragment_cap();
  rl.set_max_fragment(fragment);
  if (dynamic_threshold > 0 && rl.write_protection() != nullptr) {
    const uint64_t now = config->data().monotonic_now();
    // SPEC 6.5: an idle connection starts small again.
    if (last_send_ns != 0 && now - last_send_ns > uint64_t{dynamic_timeout_s} * 1'000'000'000)
      dynamic_sent = 0;
    last_send_ns = now;
    if (dynamic_sent < dynamic_threshold) {
      // One record per TCP segment: 1500 - 40 (IPv6) - 20 (TCP) - 40 (TCP options) - 5
      // (record header) = 1395 bytes of record body, less the protection's overhead.
      constexpr size_t kSegmentRecordBody = 1395;
      const size_t overhead = rl.write_protection()->max_overhead();
      const size_t small = std::min(fragment, kSegmentRecordBody - overhead);
      const ByteView head =
          data.first(std::min<size_t>(data.size(), dynamic_threshold - dynamic_sent));
      rl.set_max_fragment(small);
      Status s = rl.write(ContentType::application_data, head);
      rl.set_max_fragment(fragment);
      SNR_TRY(std::move(s));
      dynamic_sent += head.size();
      data = data.subspan(head.size());
      if (data.empty()) return {};
    }
  }
  return rl.write(ContentType::application_data, data);
}

Status ConnectionState::send_key_update(uint8_t request_update) {
  Bytes out;
  SNR_TRY(msg::serialize(msg::KeyUpdate{request_update}, out));
  SNR_TRY(rl.write(ContentType::handshake, out));
  SNR_TRY(rl.write_protection()->update());
  key_update_pending = false;
  key_update_ask_peer = false;
  if (key_updates_sent < 255) ++key_updates_sent;
  return {};
}

Status ConnectionState::on_post_handshake(const hs::InMessage& m) {
  const bool tls13 = neg.version == Version::TLS13;
  switch (m.type) {
    case HandshakeType::new_session_ticket: {
      // RFC 8446 4.6.1: only TLS 1.3 servers send tickets after the handshake (TLS 1.2's
      // belong inside it).
      SNR_ENSURE(mode == Mode::Client && tls13, Err::UNEXPECTED_MESSAGE);
      SNR_TRY(count_event(counts.session_tickets, limits().max_session_tickets,
                          Err::TOO_MANY_SESSION_TICKETS));
      SNR_TRY_ASSIGN(msg::NewSessionTicket t, msg::parse_new_session_ticket(m.body));
      // A client that did not ask for tickets ignores them.
      if (!config->data().session_tickets) return {};
      SNR_TRY_ASSIGN(std::optional<resume::ClientSession> session,
                     hs::session_from_ticket(neg, config->data(), server_name, t));
      if (session) SNR_TRY(on_session(*session, t.lifetime));
      return {};
    }
    case HandshakeType::key_update: {
      SNR_TRY(count_event(counts.key_updates, limits().max_key_updates, Err::TOO_MANY_KEY_UPDATES));
      SNR_TRY_ASSIGN(msg::KeyUpdate ku, msg::parse_key_update(m.body));
      // RFC 8446 4.6.3: the message must end the record; the next records use the new key.
      SNR_ENSURE(hs_in.size() == m.whole.size(), Err::HANDSHAKE_MSG_SPANS_KEY_CHANGE);
      SNR_ENSURE(rl.read_protection() != nullptr, Err::INTERNAL);
      SNR_TRY(rl.read_protection()->update());
      if (key_updates_received < 255) ++key_updates_received;
      if (ku.request_update == 1 && !write_closed) SNR_TRY(send_key_update(0));
      return {};
    }
    case HandshakeType::hello_request:
      // RFC 5246 7.4.1.1: a client may ignore a server's request to renegotiate. snr never
      // renegotiates and, as s2n, stays silent (a warning would end a peer that fails on them).
      SNR_ENSURE(mode == Mode::Client && !tls13, Err::UNEXPECTED_MESSAGE);
      SNR_ENSURE(m.body.empty(), Err::DECODE);
      return count_event(counts.hello_requests, limits().max_hello_requests,
                         Err::TOO_MANY_HELLO_REQUESTS);
    case HandshakeType::certificate_request:
      // RFC 8446 4.6.2: a client that did not offer post_handshake_auth (snr never does)
      // treats a post-handshake CertificateRequest as an unexpected_message.
      return make_error(Err::UNEXPECTED_CERT_REQUEST,
                        "post-handshake client authentication is not supported");
    case HandshakeType::client_hello:
      // A TLS 1.2 client asking to renegotiate, which snr never does.
      SNR_ENSURE(mode == Mode::Server && !tls13, Err::UNEXPECTED_MESSAGE);
      return make_error(Err::NO_RENEGOTIATION, "ClientHello after the handshake");
    default:
      return make_error(Err::UNEXPECTED_MESSAGE, "unexpected post-handshake message");
  }
}

Status ConnectionState::on_session(const resume::ClientSession& session, uint32_t lifetime) {
  Bytes blob;
  SNR_TRY(resume::encode_client_session(session, blob));
  session_out = SecureBytes(ByteView(blob));
  secure_wipe(blob.data(), blob.size());
  if (config->data().ticket_cb) {
    SessionTicket t{session_out.view(), std::chrono::seconds(lifetime)};
    config->data().ticket_cb(*owner, t);
  }
  return {};
}

Status ConnectionState::on_handshake_record(const record::Record& rec) {
  SNR_ENSURE(!rec.data.empty(), Err::EMPTY_RECORD);
  hs_in.insert(hs_in.end(), rec.data.begin(), rec.data.end());
  for (;;) {
    SNR_TRY_ASSIGN(std::optional<hs::InMessage> m,
                   first_message(hs_in, limits().max_handshake_message));
    if (!m) break;
    SNR_TRY(on_post_handshake(*m));
    hs_in.erase(hs_in.begin(), hs_in.begin() + static_cast<std::ptrdiff_t>(m->whole.size()));
  }
  if (hs_in.empty()) Bytes().swap(hs_in);
  return {};
}

Poll<size_t> ConnectionState::send_early(ByteView data) {
  if (failed) return *failed;
  if (quic_on()) return make_error(Err::UNSUPPORTED_WITH_QUIC);
  SNR_ENSURE(mode == Mode::Client, Err::EARLY_DATA_NOT_ALLOWED);
  if (complete) return size_t{0};
  if (!hs) early_wanted = true;
  // Only until the ClientHello is out: reading the server's answer now would close the
  // window before the data went out.
  if (early_mode != hs::EarlyMode::ClientSending) {
    early_stop = true;
    auto n = negotiate();
    early_stop = false;
    if (n.is_error()) return n.error();
  }
  // No eligible session, or the window has closed (the server answered, or the handshake
  // moved on): nothing more goes out as early data.
  if (early_mode != hs::EarlyMode::ClientSending || data.empty()) return size_t{0};
  const size_t room = early_limit - early_count;
  const size_t take = std::min({data.size(), room, kMaxSendPerCall});
  if (take == 0) return size_t{0};
  Status s = rl.write(ContentType::application_data, data.first(take));
  if (!s.ok()) return fail(std::move(s).error());
  early_count += static_cast<uint32_t>(take);
  auto f = flush();
  if (f.is_error()) return fail(f.error());
  return take;
}

Poll<size_t> ConnectionState::recv_early(MutByteView out) {
  if (failed) return *failed;
  if (quic_on()) return make_error(Err::UNSUPPORTED_WITH_QUIC);
  SNR_ENSURE(mode == Mode::Server, Err::EARLY_DATA_NOT_ALLOWED);
  for (;;) {
    if (early_pos < early_in.size()) {
      const size_t n = std::min(out.size(), early_in.size() - early_pos);
      std::copy_n(early_in.begin() + static_cast<std::ptrdiff_t>(early_pos), n, out.begin());
      early_pos += n;
      if (early_pos == early_in.size()) {
        secure_wipe(early_in.data(), early_in.size());
        Bytes().swap(early_in);
        early_pos = 0;
      }
      return n;
    }
    // Early data may still come before the ClientHello was read, while the decision is
    // pending, and until EndOfEarlyData.
    const bool possible =
        !complete && (neg.suite == nullptr || neg.early_data == hs::EarlyState::Requested ||
                      early_mode == hs::EarlyMode::ServerReceiving);
    if (!possible) return size_t{0};
    auto r = negotiate();
    if (r.is_error()) return r.error();
    if (r.is_pending() && early_in.empty()) {
      const bool still = neg.suite == nullptr || neg.early_data == hs::EarlyState::Requested ||
                         early_mode == hs::EarlyMode::ServerReceiving;
      if (still) return pending(r.blocked());
    }
  }
}

Poll<size_t> ConnectionState::recv(MutByteView out) {
  // A transport failure (say EPIPE on send) does not take back data already received and
  // authenticated: it is returned before the error.
  if (failed && !(failed->kind() == ErrorKind::IOError && !app_pending.empty())) return *failed;
  if (quic_on()) return make_error(Err::UNSUPPORTED_WITH_QUIC);
  if (!complete) return make_error(Err::NOT_NEGOTIATED);
  // Early data the application did not take with poll_recv_early_data comes first.
  if (early_pos < early_in.size()) return recv_early(out);
  for (;;) {
    if (!app_pending.empty()) {
      size_t n = std::min(out.size(), app_pending.size());
      std::copy_n(app_pending.begin(), n, out.begin());
      app_pending = app_pending.subspan(n);
      return n;
    }
    if (read_closed) return size_t{0};
    if (out.empty()) return size_t{0};
    auto pr = read_record(out);
    if (pr.is_pending()) return pending(pr.blocked());
    if (pr.is_error()) return fail(pr.error());
    if (!pr.value()) {
      read_closed = true;
      return size_t{0};
    }
    record::Record rec = *pr.value();
    switch (rec.type) {
      case ContentType::application_data:
        // RFC 8446 5.1 allows empty records (traffic-analysis cover), but a peer must not keep
        // poll_recv spinning on them.
        if (rec.data.empty()) {
          Status s = count_event(counts.empty_records, limits().max_empty_records,
                                 Err::TOO_MANY_EMPTY_RECORDS);
          if (!s.ok()) return fail(std::move(s).error());
          break;
        }
        counts = PeerCounts{};
        if (rec.direct) return rec.data.size();
        app_pending = rec.data;
        break;
      case ContentType::alert: {
        Status s = on_alert(rec);
        if (!s.ok()) return fail(std::move(s).error());
        break;
      }
      case ContentType::handshake: {
        Status s = on_handshake_record(rec);
        if (!s.ok()) return fail(std::move(s).error());
        auto f = flush();  // a KeyUpdate answer may be waiting
        if (f.is_error()) return fail(f.error());
        break;
      }
      case ContentType::change_cipher_spec:
        return fail(make_error(Err::CCS_NOT_ALLOWED));
    }
  }
}

// --- shutdown ---

Poll<void> ConnectionState::shutdown_send() {
  // QUIC closes the connection itself (SPEC 6.18): there is no close_notify to send.
  if (quic_on()) {
    write_closed = true;
    return Ready{};
  }
  // SPEC 6.1: a SelfService-blinded connection closes only once its delay has passed.
  if (blinding_remaining_ns() > 0) return pending(Blocked::OnBlinding);
  if (!write_closed) {
    write_closed = true;
    const uint8_t rec[2] = {1, alert::close_notify};
    Status s = rl.write(ContentType::alert, rec);
    if (!s.ok()) return fail(std::move(s).error());
  }
  if (failed) {
    // A fatal alert that could not go out when the connection failed goes out now (s2n's
    // shutdown_send flushes); after a transport failure there is nothing more to try.
    const ErrorKind k = failed->kind();
    if (k == ErrorKind::IOError || k == ErrorKind::Closed || rl.output_empty()) return Ready{};
    auto f = flush();
    if (f.is_pending()) return f;
    return Ready{};
  }
  auto f = flush();
  if (f.is_error()) return fail(f.error());
  return f;
}

Poll<void> ConnectionState::shutdown() {
  if (quic_on()) {
    read_closed = write_closed = true;
    return Ready{};
  }
  auto s = shutdown_send();
  if (!s.is_ready()) return s;
  // No waiting for the peer after a fatal error, or before the handshake finished.
  if (failed || !complete) return Ready{};
  while (!read_closed) {
    app_pending = {};
    auto pr = read_record();
    if (pr.is_pending()) return pending(pr.blocked());
    if (pr.is_error()) return fail(pr.error());
    if (!pr.value()) break;
    const record::Record& rec = *pr.value();
    Status a = rec.type == ContentType::alert       ? on_alert(rec)
               : rec.type == ContentType::handshake ? on_handshake_record(rec)
                                                    : Status();
    if (!a.ok()) return fail(std::move(a).error());
  }
  read_closed = true;
  return Ready{};
}

}  // namespace snr::detail
