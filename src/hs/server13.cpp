// The TLS 1.3 server (RFC 8446 2, 4): one row per step, in the order the messages flow.
#include <algorithm>

#include "hs/alpn.hpp"
#include "hs/cert_select.hpp"
#include "hs/client_auth.hpp"
#include "hs/common13.hpp"
#include "hs/early13.hpp"
#include "hs/mfl.hpp"
#include "hs/ocsp.hpp"
#include "hs/psk13.hpp"
#include "hs/versions.hpp"
#include "msg/sslv2_hello.hpp"
#include "util/error_code.hpp"

namespace snr::hs {
namespace {

using msg::HandshakeType;
namespace ext = msg::ext;

enum Step : uint8_t {
  kClientHello,
  kHelloRetry,
  kClientHello2,
  kServerHello,
  kEncryptedExtensions,
  kServerCert,
  kServerCertVerify,
  kServerFinished,
  kClientFinished,
  kNewSessionTicket,
  kEndOfEarlyData,
  kServerCertRequest,
  kClientCert,
  kClientCertVerify,
};

// What the server settled from a ClientHello.
struct Choice {
  const policy::CipherSuite* suite = nullptr;
  uint16_t group = 0;
  const msg::KeyShareEntry* share = nullptr;  // null: a HelloRetryRequest is needed
  const policy::SigScheme* scheme = nullptr;
};

Status check_key_shares(const msg::ClientHello& ch) {
  const auto& shares = ch.ext.key_shares;
  for (size_t i = 0; i < shares.size(); ++i) {
    // RFC 8446 4.2.8: shares only for offered groups, at most one per group.
    SNR_ENSURE(contains(ch.ext.supported_groups, shares[i].group), Err::ILLEGAL_PARAMETER);
    for (size_t j = 0; j < i; ++j)
      SNR_ENSURE(shares[j].group != shares[i].group, Err::ILLEGAL_PARAMETER);
  }
  return {};
}

// Validates a ClientHello and picks suite, group and signature scheme by the server's
// preference (SPEC 6.4).
Result<Choice> choose(Handshake& hs, const msg::ClientHello& ch) {
  const msg::Extensions& e = ch.ext;
  // This server speaks TLS 1.3 only: it needs supported_versions with 0x0304.
  SNR_ENSURE(e.has(ext::supported_versions) && contains(e.supported_versions, msg::version::TLS13),
             Err::PROTOCOL_VERSION_UNSUPPORTED);
  // RFC 8446 4.1.2: legacy_compression_methods "MUST contain exactly one byte, set to zero".
  SNR_ENSURE(ch.compression_methods.size() == 1 && ch.compression_methods[0] == 0,
             Err::COMPRESSION);
  SNR_TRY(select_psk(hs, ch));
  // RFC 8446 9.2: without a PSK, signature_algorithms, supported_groups and key_share are
  // mandatory ("missing_extension"); psk_dhe_ke needs the last two.
  const bool dhe = !hs.psk || hs.psk_dhe;
  SNR_ENSURE(hs.psk || e.has(ext::signature_algorithms), Err::MISSING_EXTENSION);
  SNR_ENSURE(!dhe || (e.has(ext::supported_groups) && e.has(ext::key_share)),
             Err::MISSING_EXTENSION);
  if (e.has(ext::key_share)) SNR_TRY(check_key_shares(ch));

  Choice c;
  for (uint16_t id : hs.settings.policy->cipher_suites) {
    const policy::CipherSuite* s = policy::find_suite(id);
    if (hs.psk && s && s->hash != hs.psk->hash) continue;
    if (s && s->implemented && s->is_tls13() && contains(ch.cipher_suites, id)) {
      c.suite = s;
      break;
    }
  }
  SNR_ENSURE(c.suite != nullptr, Err::CIPHER_NOT_SUPPORTED);
  if (!dhe) return c;

  // The best mutual group that already has a share; else the best mutual group (HRR).
  for (uint16_t g : hs.settings.policy->curves) {
    if (!crypto::key_share_supported(g) || !contains(e.supported_groups, g)) continue;
    if (c.group == 0) c.group = g;
    auto it = std::find_if(e.key_shares.begin(), e.key_shares.end(),
                           [&](const msg::KeyShareEntry& k) { return k.group == g; });
    if (it != e.key_shares.end()) {
      c.group = g;
      c.share = &*it;
      break;
    }
  }
  SNR_ENSURE(c.group != 0, Err::NO_SUPPORTED_GROUP);
  if (hs.psk) return c;

  // SPEC 6.15: the chain for the client's name that it can verify (a scheme it offered).
  select_server_cert(hs, e.server_name, [&](const detail::CertifiedKey& k) {
    return scheme_rank(hs, choose_signature_scheme(hs, e.signature_algorithms, k.key_type));
  });
  SNR_ENSURE(hs.cert != nullptr, Err::NO_CERTIFICATE);
  SNR_TRY_ASSIGN(c.scheme, choose_signature_scheme(hs, e.signature_algorithms, hs.cert->key_type));
  return c;
}

Status accept_hello(Handshake& hs, const Choice& c, const msg::ClientHello& ch) {
  hs.out->suite = c.suite;
  hs.out->group = c.group;
  hs.out->sig_scheme = c.scheme;
  hs.out->server_name = ch.ext.server_name;
  if (!hs.transcript.has_hash()) SNR_TRY(hs.transcript.set_hash(c.suite->hash));
  return {};
}

// ClientHello (RFC 8446 4.1.2).
// The version this server speaks with the client (RFC 8446 4.2.1, RFC 5246 E.1): TLS 1.3 when
// both can; else the highest of the client's versions up to TLS 1.2.
Result<Version> choose_version(const Handshake& hs, const msg::ClientHello& ch) {
  const Version top = max_version(*hs.settings.policy);
  // QUIC needs TLS 1.3 (RFC 9001 4.2).
  const Version bottom = hs.settings.quic ? Version::TLS13 : min_version(*hs.settings.policy);
  Version client_top = Version::Unknown;
  if (ch.ext.has(ext::supported_versions)) {
    for (uint16_t w : ch.ext.supported_versions) {
      Version v = from_wire(w);
      if (v != Version::Unknown && v <= top && v > client_top) client_top = v;
    }
  } else {
    // A legacy client's version is its maximum; higher values mean "at least TLS 1.2".
    client_top =
        ch.legacy_version >= msg::version::TLS12 ? Version::TLS12 : from_wire(ch.legacy_version);
    if (client_top > top) client_top = top;
  }
  SNR_ENSURE(client_top != Version::Unknown && client_top >= bottom,
             Err::PROTOCOL_VERSION_UNSUPPORTED);
  // RFC 7507: a fallback retry from a client that could have had more is refused.
  SNR_ENSURE(!(contains(ch.cipher_suites, 0x5600) && client_top < top), Err::FALLBACK_DETECTED);
  return client_top;
}

// RFC 9001 8.2, 8.4: a QUIC ClientHello carries the client's transport parameters and no
// session id (no middlebox compatibility). After a HelloRetryRequest the second hello's count.
Status accept_quic_hello(Handshake& hs, const msg::ClientHello& ch) {
  if (!hs.settings.quic) return {};
  SNR_ENSURE(ch.ext.has(ext::quic_transport_parameters), Err::MISSING_EXTENSION);
  SNR_ENSURE(ch.session_id.empty(), Err::ILLEGAL_PARAMETER);
  hs.out->quic_transport_params = ch.ext.quic_transport_parameters;
  return {};
}

Result<Outcome> recv_client_hello(Handshake& hs, const InMessage* in) {
  SNR_TRY_ASSIGN(msg::ClientHello ch, in->sslv2 ? msg::parse_sslv2_client_hello(in->whole)
                                                : msg::parse_client_hello(in->body));
  SNR_TRY_ASSIGN(Version version, choose_version(hs, ch));
  // SPEC 6.12: an SSLv2 hello has no supported_versions, so it gets TLS 1.2 at most; and
  // "Requests to resume a TLS session MUST use a TLS client hello" (RFC 5246 E.2).
  if (in->sslv2) ch.session_id.clear();
  if (version != Version::TLS13) return continue_server12(hs, *in, std::move(ch), version);
  hs.version = Version::TLS13;
  SNR_TRY(accept_quic_hello(hs, ch));
  SNR_TRY_ASSIGN(Choice c, choose(hs, ch));
  hs.client_random = ch.random;
  hs.session_id = ch.session_id;
  SNR_TRY(accept_hello(hs, c, ch));
  SNR_TRY(verify_binder(hs, *in, ch));
  SNR_TRY(absorb(hs, *in));
  SNR_TRY(consider_early_data(hs, ch));
  // Keep only the chosen peer share (none for psk_ke): the next step derives with it. Done
  // before the hello moves, as c.share points into its (inline) list; the initializer list
  // copies the share before the assignment.
  const bool dhe = !hs.psk || hs.psk_dhe;
  if (!dhe) {
    ch.ext.key_shares.clear();
  } else if (c.share != nullptr) {
    ch.ext.key_shares = {*c.share};
  }
  hs.first_hello = std::move(ch);
  if (dhe && c.share == nullptr) return next(kHelloRetry);
  hs.key_shares.clear();
  return next(kServerHello);
}

// HelloRetryRequest (RFC 8446 4.1.4), with a cookie holding the hash of ClientHello1.
Result<Outcome> send_hello_retry(Handshake& hs, const InMessage*) {
  SNR_TRY_ASSIGN(crypto::Digest ch1, hs.transcript.current());
  SNR_TRY(hs.transcript.replace_with_message_hash());
  msg::ServerHello hrr;
  std::copy(std::begin(msg::kHelloRetryRandom), std::end(msg::kHelloRetryRandom),
            hrr.random.begin());
  hrr.session_id = hs.session_id;
  hrr.cipher_suite = hs.out->suite->iana;
  hrr.ext.add(ext::supported_versions);
  hrr.ext.selected_version = msg::version::TLS13;
  hrr.ext.add(ext::key_share);
  hrr.ext.hrr_group = hs.out->group;
  hrr.ext.add(ext::cookie);
  hrr.ext.cookie.assign(ch1.view().begin(), ch1.view().end());
  hs.cookie = hrr.ext.cookie;
  hs.io->version_known(msg::version::TLS12);
  SNR_TRY(send(hs, hrr));
  hs.hello_retry = true;
  // RFC 8446 4.2.10: after a HelloRetryRequest early data is rejected; the client's early
  // records (still arriving before the second ClientHello) are skipped.
  if (hs.out->early_data != EarlyState::NotRequested) {
    hs.out->early_data = EarlyState::Rejected;
    hs.io->set_early_data(EarlyMode::ServerSkipping, hs.out->max_early_data);
  }
  hs.out->flags |= flag::HELLO_RETRY_REQUEST;
  // RFC 8446 D.4: the server's CCS follows its first handshake message.
  SNR_TRY(maybe_send_ccs(hs));
  return next(kClientHello2);
}

// The second ClientHello must answer the HelloRetryRequest exactly (RFC 8446 4.1.2).
Result<Outcome> recv_client_hello2(Handshake& hs, const InMessage* in) {
  SNR_TRY_ASSIGN(msg::ClientHello ch, msg::parse_client_hello(in->body));
  SNR_ENSURE(ch.session_id == hs.session_id, Err::ILLEGAL_PARAMETER);
  SNR_ENSURE(ch.ext.has(ext::cookie) && ct_equal(ch.ext.cookie, hs.cookie), Err::BAD_COOKIE);
  // "A client MUST NOT include the "early_data" extension in its followup ClientHello."
  SNR_ENSURE(!ch.ext.has(ext::early_data), Err::BAD_EARLY_DATA);
  SNR_TRY(accept_quic_hello(hs, ch));
  hs.io->set_early_data(EarlyMode::None, 0);
  SNR_ENSURE(ch.ext.key_shares.size() == 1 && ch.ext.key_shares[0].group == hs.out->group,
             Err::ILLEGAL_PARAMETER);
  SNR_TRY_ASSIGN(Choice c, choose(hs, ch));
  // The retried hello must lead to the same suite and group.
  SNR_ENSURE(c.suite == hs.out->suite && c.share != nullptr, Err::ILLEGAL_PARAMETER);
  SNR_TRY(accept_hello(hs, c, ch));
  SNR_TRY(verify_binder(hs, *in, ch));
  SNR_TRY(absorb(hs, *in));
  ch.ext.key_shares = {*c.share};
  hs.first_hello = std::move(ch);
  return next(kServerHello);
}

// ServerHello (RFC 8446 4.1.3).
Result<Outcome> send_server_hello(Handshake& hs, const InMessage*) {
  // The application decides on offered early data first (anti-replay), possibly later.
  if (hs.out->early_data == EarlyState::Requested) {
    std::optional<bool> accept = decide_early_data(hs);
    if (!accept) return pause();
    if (!*accept) hs.out->early_data = EarlyState::Rejected;
  }
  crypto::Provider& p = *hs.settings.provider;
  msg::ServerHello sh;
  SNR_TRY(p.random(sh.random));
  hs.server_random = sh.random;
  sh.session_id = hs.session_id;
  sh.cipher_suite = hs.out->suite->iana;
  SecureBytes shared;  // stays empty for psk_ke
  if (!hs.first_hello->ext.key_shares.empty()) {
    const msg::KeyShareEntry& peer = hs.first_hello->ext.key_shares.front();
    SNR_TRY_ASSIGN(crypto::KeyShare mine, p.generate_key_share(hs.out->group));
    SNR_TRY_ASSIGN(shared, p.derive(mine, peer.key_exchange));
    sh.ext.add(ext::key_share);
    sh.ext.key_shares = {msg::KeyShareEntry{mine.group(), mine.public_key()}};
  } else {
    hs.out->group = 0;
  }
  sh.ext.add(ext::supported_versions);
  sh.ext.selected_version = msg::version::TLS13;
  if (hs.psk) {
    sh.ext.add(ext::pre_shared_key);
    sh.ext.psk_selected_identity = hs.psk_index;
  }
  // RFC 8446 5.1: the server's records say 0x0303 from its first one.
  hs.io->version_known(msg::version::TLS12);
  SNR_TRY(send(hs, sh));

  settle_tls13(hs);
  SNR_TRY(maybe_send_ccs(hs));
  SNR_TRY(derive_handshake_secrets(hs, shared));
  SNR_TRY(hs.io->set_write_secret(*hs.out->suite, hs.ks->server_handshake_secret().view()));
  switch (hs.out->early_data) {
    case EarlyState::Accepted:
    case EarlyState::Requested:
      // Accepted: the client's early data, then EndOfEarlyData, come under the early key.
      hs.out->early_data = EarlyState::Accepted;
      hs.out->flags |= flag::WITH_EARLY_DATA;
      SNR_TRY(hs.io->set_read_secret(*hs.out->suite, hs.early_secret.view()));
      hs.io->set_early_data(EarlyMode::ServerReceiving, hs.out->max_early_data);
      break;
    case EarlyState::Rejected:
      // Rejected: records that do not decrypt with the handshake key are skipped (4.2.10).
      SNR_TRY(hs.io->set_read_secret(*hs.out->suite, hs.ks->client_handshake_secret().view()));
      if (!hs.hello_retry) hs.io->set_early_data(EarlyMode::ServerSkipping, hs.out->max_early_data);
      break;
    case EarlyState::NotRequested:
      SNR_TRY(hs.io->set_read_secret(*hs.out->suite, hs.ks->client_handshake_secret().view()));
      break;
  }
  return next(kEncryptedExtensions);
}

Result<Outcome> send_encrypted_extensions(Handshake& hs, const InMessage*) {
  msg::EncryptedExtensions ee;
  select_alpn(hs, *hs.first_hello, ee.ext);
  answer_mfl(hs, hs.first_hello->ext, ee.ext);
  // RFC 6066 3: an empty server_name says the server used the name (as s2n, not on
  // resumption, where the session's name applies).
  if ((hs.settings.server_name_used || cert_matched_name(hs)) && !hs.out->resumed &&
      hs.first_hello->ext.has(ext::server_name))
    ee.ext.add(ext::server_name);
  if (hs.out->early_data == EarlyState::Accepted) ee.ext.add(ext::early_data);
  SNR_TRY(decide_stapling(hs, hs.first_hello->ext));
  if (hs.settings.quic) {
    ee.ext.add(ext::quic_transport_parameters);
    ee.ext.quic_transport_parameters = hs.settings.quic_transport_params;
  }
  hs.first_hello.reset();
  SNR_TRY(send(hs, ee));
  // A PSK handshake authenticates with the key: no certificates (RFC 8446 2.2).
  return next(hs.psk ? kServerFinished : kServerCertRequest);
}

// CertificateRequest (RFC 8446 4.3.2), right after EncryptedExtensions, when client auth is on.
Result<Outcome> send_server_cert_request(Handshake& hs, const InMessage*) {
  if (requests_client_cert(hs)) SNR_TRY(send_certificate_request13(hs));
  return next(kServerCert);
}

Result<Outcome> send_server_cert(Handshake& hs, const InMessage*) {
  msg::Certificate cert;
  for (const Bytes& der : hs.cert->chain_der)
    cert.entries.push_back(msg::CertificateEntry{der, {}});
  staple_certificate13(hs, cert);
  SNR_TRY(send(hs, cert));
  hs.out->local_chain = &hs.cert->chain;
  return next(kServerCertVerify);
}

Result<Outcome> send_server_cert_verify(Handshake& hs, const InMessage*) {
  SNR_TRY_ASSIGN(bool sent, send_certificate_verify(hs, *hs.cert, *hs.out->sig_scheme, true));
  if (!sent) return pause();  // the private key callback is working on it
  return next(kServerFinished);
}

Result<Outcome> send_server_finished(Handshake& hs, const InMessage*) {
  msg::Finished fin;
  SNR_TRY_ASSIGN(crypto::Digest vd, finished_for(hs, hs.ks->server_handshake_secret()));
  fin.verify_data.assign(vd.view().begin(), vd.view().end());
  SNR_TRY(send(hs, fin));
  SNR_TRY(derive_application_secrets(hs));
  SNR_TRY(hs.io->set_write_secret(*hs.out->suite, hs.ks->server_application_secret().view()));
  if (hs.out->early_data == EarlyState::Accepted && !hs.settings.quic) return next(kEndOfEarlyData);
  if (hs.out->early_data == EarlyState::Accepted) {
    // RFC 9001 8.3: QUIC has no EndOfEarlyData; the client's handshake messages come next.
    hs.early_secret = crypto::Digest();
    SNR_TRY(hs.io->set_read_secret(*hs.out->suite, hs.ks->client_handshake_secret().view()));
  }
  return next(hs.cert_requested ? kClientCert : kClientFinished);
}

// The client's Certificate (RFC 8446 4.4.2), in answer to the CertificateRequest.
Result<Outcome> recv_client_cert(Handshake& hs, const InMessage* in) {
  SNR_TRY_ASSIGN(msg::Certificate cert, msg::parse_certificate(in->body));
  // 4.4.2: the context of the CertificateRequest it answers.
  SNR_ENSURE(cert.request_context == hs.cert_request_context, Err::ILLEGAL_PARAMETER);
  SNR_TRY_ASSIGN(bool with_chain, accept_client_certificate(hs, cert));
  SNR_TRY(accept_client_status13(hs, cert));
  SNR_TRY(absorb(hs, *in));
  return next(with_chain ? kClientCertVerify : kClientFinished);
}

// The client's CertificateVerify (RFC 8446 4.4.3), with a scheme the request offered.
Result<Outcome> recv_client_cert_verify(Handshake& hs, const InMessage* in) {
  SNR_TRY(verify_peer_signature(hs, *in, false, hs.cert_request_schemes));
  return next(kClientFinished);
}

// EndOfEarlyData (RFC 8446 4.5) closes accepted early data; the handshake key follows.
Result<Outcome> recv_end_of_early_data(Handshake& hs, const InMessage* in) {
  SNR_TRY(check_end_of_early_data(*in));
  SNR_TRY(absorb(hs, *in));
  hs.io->set_early_data(EarlyMode::None, 0);
  hs.early_secret = crypto::Digest();
  SNR_TRY(hs.io->set_read_secret(*hs.out->suite, hs.ks->client_handshake_secret().view()));
  return next(kClientFinished);
}

Result<Outcome> recv_client_finished(Handshake& hs, const InMessage* in) {
  SNR_TRY(check_finished(hs, *in, hs.ks->client_handshake_secret()));
  SNR_TRY(hs.io->set_read_secret(*hs.out->suite, hs.ks->client_application_secret().view()));
  SNR_TRY_ASSIGN(crypto::Digest h, hs.transcript.current());
  SNR_TRY(hs.ks->resumption(h.view()));
  hs.out->resumption_secret = hs.ks->resumption_master_secret();
  return next(kNewSessionTicket);
}

// NewSessionTickets (RFC 8446 4.6.1) right after the handshake, as s2n sends them.
Result<Outcome> send_new_session_tickets(Handshake& hs, const InMessage*) {
  SNR_TRY(send_tickets(hs));
  return done();
}

constexpr StepRow kSteps[] = {
    {kClientHello, "CLIENT_HELLO", accepts(HandshakeType::client_hello), recv_client_hello},
    {kHelloRetry, "HELLO_RETRY_MSG", 0, send_hello_retry},
    {kClientHello2, "CLIENT_HELLO", accepts(HandshakeType::client_hello), recv_client_hello2},
    {kServerHello, "SERVER_HELLO", 0, send_server_hello},
    {kEncryptedExtensions, "ENCRYPTED_EXTENSIONS", 0, send_encrypted_extensions},
    {kServerCert, "SERVER_CERT", 0, send_server_cert},
    {kServerCertVerify, "SERVER_CERT_VERIFY", 0, send_server_cert_verify},
    {kServerFinished, "SERVER_FINISHED", 0, send_server_finished},
    {kClientFinished, "CLIENT_FINISHED", accepts(HandshakeType::finished), recv_client_finished},
    {kNewSessionTicket, "SERVER_NEW_SESSION_TICKET", 0, send_new_session_tickets},
    {kEndOfEarlyData, "END_OF_EARLY_DATA", accepts(HandshakeType::end_of_early_data),
     recv_end_of_early_data},
    {kServerCertRequest, "SERVER_CERT_REQ", 0, send_server_cert_request},
    {kClientCert, "CLIENT_CERT", accepts(HandshakeType::certificate), recv_client_cert},
    {kClientCertVerify, "CLIENT_CERT_VERIFY", accepts(HandshakeType::certificate_verify),
     recv_client_cert_verify},
};

static_assert(rows_in_order(kSteps), "server13 step rows must follow the Step enum");

}  // namespace

std::span<const StepRow> server13_steps() { return kSteps; }

}  // namespace snr::hs
