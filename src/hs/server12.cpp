// The TLS 1.2 (and 1.0/1.1) server (RFC 5246 7.3): one row per step, in message order.
#include <algorithm>

#include "hs/alpn.hpp"
#include "hs/cert_select.hpp"
#include "hs/client_auth.hpp"
#include "hs/common12.hpp"
#include "hs/mfl.hpp"
#include "hs/ocsp.hpp"
#include "hs/pkey_ops.hpp"
#include "hs/tickets12.hpp"
#include "util/error_code.hpp"

namespace snr::hs {
namespace {

using msg::HandshakeType;
namespace ext = msg::ext;

enum Step : uint8_t {
  kServerHello,
  kServerCert,
  kServerKey,
  kServerHelloDone,
  kClientKey,
  kClientCcs,
  kClientFinished,
  kServerCcs,
  kServerFinished,
  kServerNewTicket,
  kServerCertRequest,
  kClientCert,
  kClientCertVerify,
  kServerCertStatus,
};

// ServerHello (RFC 5246 7.4.1.3), with RFC 8446 4.1.3's downgrade sentinel.
Result<Outcome> send_server_hello(Handshake& hs, const InMessage*) {
  msg::ServerHello sh;
  SNR_TRY(hs.settings.provider->random(sh.random));
  const Version top = max_version(*hs.settings.policy);
  const uint8_t* sentinel = nullptr;
  if (top == Version::TLS13 && hs.version == Version::TLS12) sentinel = kDowngradeTls12;
  if (top >= Version::TLS12 && hs.version < Version::TLS12) sentinel = kDowngradeTls11;
  if (sentinel) std::copy(sentinel, sentinel + 8, sh.random.end() - 8);
  hs.server_random = sh.random;
  sh.legacy_version = wire_version(hs.version);
  sh.cipher_suite = hs.out->suite->iana;
  const msg::Extensions& offered = hs.first_hello->ext;
  if (hs.secure_renegotiation) sh.ext.add(ext::renegotiation_info);
  if (hs.ems) sh.ext.add(ext::extended_master_secret);
  if (hs.out->suite->kx == policy::KeyExchange::ECDHE && offered.has(ext::ec_point_formats)) {
    sh.ext.add(ext::ec_point_formats);
    sh.ext.ec_point_formats = {0};
  }
  select_alpn(hs, *hs.first_hello, sh.ext);
  answer_mfl(hs, offered, sh.ext);
  SNR_TRY(answer_status_request12(hs, offered, sh.ext));
  // RFC 6066 3: an empty server_name says the server used the name (not on resumption).
  if ((hs.settings.server_name_used || cert_matched_name(hs)) && !hs.resumed12 &&
      offered.has(ext::server_name))
    sh.ext.add(ext::server_name);
  if (hs.resumed12) {
    // RFC 5077 3.4: the client's session id comes back to say "resumed".
    sh.session_id = hs.session_id;
  } else if (hs.ticket12) {
    sh.ext.add(ext::session_ticket);
  } else if (hs.cache12) {
    // A fresh id under which the session will be cached (RFC 5246 7.4.1.3).
    hs.session_id.resize(32);
    SNR_TRY(hs.settings.provider->random(hs.session_id));
    sh.session_id = hs.session_id;
  }
  SNR_TRY(send(hs, sh));
  if (hs.resumed12) {
    SNR_TRY(derive_resumed_keys12(hs));
    return next(kServerCcs);
  }
  return next(kServerCert);
}

Result<Outcome> send_server_cert(Handshake& hs, const InMessage*) {
  SNR_TRY(send(hs, msg::Certificate12{hs.cert->chain_der}));
  hs.out->local_chain = &hs.cert->chain;
  if (hs.ocsp_stapling) return next(kServerCertStatus);
  return next(hs.out->suite->kx == policy::KeyExchange::RSA ? kServerCertRequest : kServerKey);
}

// CertificateStatus (RFC 6066 8), right after Certificate when the ServerHello promised it.
Result<Outcome> send_server_cert_status(Handshake& hs, const InMessage*) {
  SNR_TRY(send_certificate_status12(hs));
  return next(hs.out->suite->kx == policy::KeyExchange::RSA ? kServerCertRequest : kServerKey);
}

// ServerKeyExchange (RFC 5246 7.4.3, RFC 8422 5.4).
Result<Outcome> send_server_key(Handshake& hs, const InMessage*) {
  // After a pause for the private key callback the step runs again: the key share it made
  // (and signs) is kept, not made anew.
  if (!hs.held_ske) {
    msg::ServerKeyExchange fresh;
    fresh.kind = kx_kind(*hs.out->suite);
    if (fresh.kind == msg::KxKind::ECDHE) {
      SNR_TRY_ASSIGN(crypto::KeyShare mine,
                     hs.settings.provider->generate_key_share(hs.out->group));
      fresh.group = mine.group();
      fresh.point.assign(mine.public_key().begin(), mine.public_key().end());
      hs.key_shares.clear();
      hs.key_shares.push_back(std::move(mine));
    } else {
      SNR_TRY(server_dhe_params(hs, fresh));
    }
    hs.held_ske = std::move(fresh);
  }
  msg::ServerKeyExchange& ske = *hs.held_ske;
  SNR_TRY_ASSIGN(SkeSignature sig, choose_ske_signature(hs, *hs.first_hello, hs.cert->key_type));
  if (sig.scheme) {
    ske.scheme = sig.scheme->iana;
    hs.out->sig_scheme = sig.scheme;
  }
  SNR_TRY_ASSIGN(std::optional<Bytes> signature,
                 sign_or_offload(hs, *hs.cert, sig.params, ske_signed_content(hs, ske.params())));
  if (!signature) return pause();
  ske.signature = std::move(*signature);
  SNR_TRY(send(hs, ske));
  hs.held_ske.reset();
  return next(kServerCertRequest);
}

// CertificateRequest (RFC 5246 7.4.4) when client auth is on.
Result<Outcome> send_server_cert_request(Handshake& hs, const InMessage*) {
  if (requests_client_cert(hs)) SNR_TRY(send_certificate_request12(hs));
  return next(kServerHelloDone);
}

Result<Outcome> send_server_hello_done(Handshake& hs, const InMessage*) {
  Bytes& out = out_buffer(hs);
  SNR_TRY(msg::serialize_server_hello_done(out));
  SNR_TRY(emit(hs, out));
  return next(hs.cert_requested ? kClientCert : kClientKey);
}

// The client's Certificate (RFC 5246 7.4.6), possibly empty.
Result<Outcome> recv_client_cert(Handshake& hs, const InMessage* in) {
  SNR_TRY_ASSIGN(msg::Certificate12 cert, msg::parse_certificate12(in->body));
  SNR_TRY(accept_client_certificate(hs, as_certificate13(cert)));
  SNR_TRY(absorb(hs, *in));
  return next(kClientKey);
}

// The client's CertificateVerify (RFC 5246 7.4.8), checked before its ChangeCipherSpec.
Result<Outcome> recv_client_cert_verify(Handshake& hs, const InMessage* in) {
  SNR_TRY(verify_client_certificate_verify12(hs, *in));
  return next(kClientCcs);
}

// ClientKeyExchange (RFC 5246 7.4.7).
Result<Outcome> recv_client_key(Handshake& hs, const InMessage* in) {
  const msg::KxKind kind = kx_kind(*hs.out->suite);
  SNR_TRY_ASSIGN(msg::ClientKeyExchange cke, msg::parse_client_key_exchange(in->body, kind));
  switch (kind) {
    case msg::KxKind::ECDHE: {
      SNR_TRY_ASSIGN(hs.pre_master,
                     hs.settings.provider->derive(hs.key_shares.front(), cke.exchange));
      hs.key_shares.clear();
      break;
    }
    case msg::KxKind::DHE:
      SNR_TRY(server_dhe_finish(hs, cke.exchange));
      break;
    case msg::KxKind::RSA: {
      SNR_TRY_ASSIGN(bool decrypted, decrypt_premaster_or_offload(hs, cke.exchange));
      // The private key callback is decrypting: this step runs again with the same message.
      if (!decrypted) return pause();
      break;
    }
  }
  SNR_TRY(absorb(hs, *in));
  SNR_TRY(derive_keys12(hs));
  // A client that sent a certificate proves it owns the key next.
  return next(hs.peer_key ? kClientCertVerify : kClientCcs);
}

Result<Outcome> recv_client_ccs(Handshake& hs, const InMessage*) {
  SNR_TRY(hs.io->set_read_keys12(*hs.out->suite, hs.version, hs.key_block->client));
  return next(kClientFinished);
}

Result<Outcome> recv_client_finished(Handshake& hs, const InMessage* in) {
  SNR_TRY(check_finished12(hs, *in, true));
  // An abbreviated handshake ends with the client's Finished (RFC 5246 7.3).
  if (hs.resumed12) {
    hs.key_block.reset();
    return done();
  }
  return next(hs.ticket12 ? kServerNewTicket : kServerCcs);
}

Result<Outcome> send_new_ticket(Handshake& hs, const InMessage*) {
  SNR_TRY(send_ticket12(hs));
  return next(kServerCcs);
}

Result<Outcome> send_server_ccs(Handshake& hs, const InMessage*) {
  SNR_TRY(hs.io->send_change_cipher_spec());
  SNR_TRY(hs.io->set_write_keys12(*hs.out->suite, hs.version, hs.key_block->server));
  return next(kServerFinished);
}

Result<Outcome> send_server_finished(Handshake& hs, const InMessage*) {
  msg::Finished fin;
  SNR_TRY_ASSIGN(fin.verify_data, finished12_for(hs, false));
  SNR_TRY(send(hs, fin));
  hs.first_hello.reset();
  if (hs.resumed12) return next(kClientCcs);
  hs.key_block.reset();
  SNR_TRY(store_session12(hs));
  return done();
}

constexpr StepRow kSteps[] = {
    {kServerHello, "SERVER_HELLO", 0, send_server_hello},
    {kServerCert, "SERVER_CERT", 0, send_server_cert},
    {kServerKey, "SERVER_KEY", 0, send_server_key},
    {kServerHelloDone, "SERVER_HELLO_DONE", 0, send_server_hello_done},
    {kClientKey, "CLIENT_KEY", accepts(HandshakeType::client_key_exchange), recv_client_key},
    {kClientCcs, "CLIENT_CHANGE_CIPHER_SPEC", kAcceptsCcs, recv_client_ccs},
    {kClientFinished, "CLIENT_FINISHED", accepts(HandshakeType::finished), recv_client_finished},
    {kServerCcs, "SERVER_CHANGE_CIPHER_SPEC", 0, send_server_ccs},
    {kServerFinished, "SERVER_FINISHED", 0, send_server_finished},
    {kServerNewTicket, "SERVER_NEW_SESSION_TICKET", 0, send_new_ticket},
    {kServerCertRequest, "SERVER_CERT_REQ", 0, send_server_cert_request},
    {kClientCert, "CLIENT_CERT", accepts(HandshakeType::certificate), recv_client_cert},
    {kClientCertVerify, "CLIENT_CERT_VERIFY", accepts(HandshakeType::certificate_verify),
     recv_client_cert_verify},
    {kServerCertStatus, "SERVER_CERT_STATUS", 0, send_server_cert_status},
};
static_assert(rows_in_order(kSteps), "server12 step rows must follow the Step enum");

// The group for ECDHE: the server's most preferred one the client supports. A client without
// supported_groups gets the server's first (RFC 8422 4 lets the server assume support).
uint16_t choose_group12(const Handshake& hs, const msg::ClientHello& ch) {
  for (uint16_t g : hs.settings.policy->curves) {
    if (!crypto::key_share_supported(g)) continue;
    if (!ch.ext.has(ext::supported_groups) || contains(ch.ext.supported_groups, g)) return g;
  }
  return 0;
}

// Can `suite` be served to this client with this certificate and configuration?
bool suite_servable(const Handshake& hs, const msg::ClientHello& ch,
                    const policy::CipherSuite& suite, uint16_t group) {
  if (!suite_fits(suite, hs.version) || !contains(ch.cipher_suites, suite.iana)) return false;
  if (!key_fits_auth(hs.cert->key_type, suite.auth)) return false;
  switch (suite.kx) {
    case policy::KeyExchange::ECDHE: {
      // RFC 8422 5.1.2: uncompressed points must be allowed when the client lists formats.
      bool formats_ok = !ch.ext.has(ext::ec_point_formats) ||
                        std::find(ch.ext.ec_point_formats.begin(), ch.ext.ec_point_formats.end(),
                                  0) != ch.ext.ec_point_formats.end();
      if (group == 0 || !formats_ok) return false;
      break;
    }
    case policy::KeyExchange::DHE:
      if (!hs.settings.config->dh_params) return false;
      break;
    case policy::KeyExchange::RSA:
      if (hs.cert->key_type != crypto::KeyType::RSA) return false;
      return true;  // no signature
    case policy::KeyExchange::TLS13:
      return false;
  }
  return choose_ske_signature(hs, ch, hs.cert->key_type).ok();
}

}  // namespace

std::span<const StepRow> server12_steps() { return kSteps; }

Result<Outcome> continue_server12(Handshake& hs, const InMessage& in, msg::ClientHello ch,
                                  Version version) {
  hs.version = version;
  hs.client_random = ch.random;
  hs.client_version = ch.legacy_version;
  SNR_ENSURE(hs.settings.config->has_cert(), Err::NO_CERTIFICATE);
  // RFC 5746 3.6: an initial ClientHello's renegotiation_info must be empty.
  if (ch.ext.has(ext::renegotiation_info))
    SNR_ENSURE(ch.ext.renegotiation_info.empty(), Err::BAD_RENEGOTIATION_INFO);
  hs.secure_renegotiation =
      ch.ext.has(ext::renegotiation_info) || contains(ch.cipher_suites, 0x00FF);
  hs.ems = ch.ext.has(ext::extended_master_secret);
  hs.out->version = version;
  hs.out->server_name = ch.ext.server_name;
  hs.io->version_known(wire_version(version));
  SNR_TRY_ASSIGN(bool resumed, server_resume12(hs, ch, version));
  if (resumed) {
    hs.out->flags |= flag::NEGOTIATED;
    hs.out->resumed = true;
    SNR_TRY(hs.transcript.set_hash(transcript_hash12(version, *hs.out->suite)));
    SNR_TRY(absorb(hs, in));
    hs.first_hello = std::move(ch);
    hs.steps = server12_steps();
    return next(kServerHello);
  }
  hs.ticket12 = will_issue_ticket12(hs, ch);
  // A client given a ticket resumes with it; the cache is for the others.
  hs.cache12 = !hs.ticket12 && will_cache12(hs);

  const uint16_t group = choose_group12(hs, ch);
  // SPEC 6.15: the chain for the client's name that serves the suite the server prefers.
  const auto& suites = hs.settings.policy->cipher_suites;
  select_server_cert(hs, ch.ext.server_name,
                     [&](const detail::CertifiedKey& k) -> std::optional<size_t> {
                       hs.cert = &k;
                       for (size_t i = 0; i < suites.size(); ++i) {
                         const policy::CipherSuite* s = policy::find_suite(suites[i]);
                         if (s && suite_servable(hs, ch, *s, group)) return i;
                       }
                       return std::nullopt;
                     });
  SNR_ENSURE(hs.cert != nullptr, Err::NO_CERTIFICATE);
  const policy::CipherSuite* chosen = nullptr;
  for (uint16_t id : hs.settings.policy->cipher_suites) {
    const policy::CipherSuite* s = policy::find_suite(id);
    if (s && suite_servable(hs, ch, *s, group)) {
      chosen = s;
      break;
    }
  }
  SNR_ENSURE(chosen != nullptr, Err::CIPHER_NOT_SUPPORTED);

  hs.out->suite = chosen;
  hs.out->flags |= flag::NEGOTIATED | flag::FULL_HANDSHAKE;
  if (chosen->kx == policy::KeyExchange::ECDHE) hs.out->group = group;
  if (chosen->kx != policy::KeyExchange::RSA) hs.out->flags |= flag::TLS12_PERFECT_FORWARD_SECRECY;

  // A client CertificateVerify signs the messages themselves (client_auth.hpp).
  if (requests_client_cert(hs)) hs.transcript.keep_messages();
  SNR_TRY(hs.transcript.set_hash(transcript_hash12(version, *chosen)));
  SNR_TRY(absorb(hs, in));
  hs.first_hello = std::move(ch);
  hs.steps = server12_steps();
  return next(kServerHello);
}

}  // namespace snr::hs
