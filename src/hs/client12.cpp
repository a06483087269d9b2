// The TLS 1.2 (and 1.0/1.1) client (RFC 5246 7.3): one row per step, in message order.
#include "hs/alpn.hpp"
#include "hs/client_auth.hpp"
#include "hs/common12.hpp"
#include "hs/mfl.hpp"
#include "hs/ocsp.hpp"
#include "hs/tickets12.hpp"
#include "util/error_code.hpp"

namespace snr::hs {
namespace {

using msg::HandshakeType;
namespace ext = msg::ext;

enum Step : uint8_t {
  kServerCert,
  kServerKey,
  kServerHelloDone,
  kClientCert,
  kClientKey,
  kClientCcs,
  kClientFinished,
  kServerCcs,
  kServerFinished,
  kServerNewTicket,
  kClientCertVerify,
  kServerCertStatus,
};

// Certificate (RFC 5246 7.4.2).
Result<Outcome> recv_server_cert(Handshake& hs, const InMessage* in) {
  SNR_TRY_ASSIGN(msg::Certificate12 cert, msg::parse_certificate12(in->body));
  SNR_TRY(accept_peer_certificates(hs, as_certificate13(cert)));
  // The certificate must be able to authenticate the chosen suite.
  SNR_ENSURE(key_fits_auth(hs.peer_key->type(), hs.out->suite->auth), Err::CERT_TYPE_UNSUPPORTED);
  if (hs.out->suite->kx == policy::KeyExchange::RSA)
    SNR_ENSURE(hs.peer_key->type() == crypto::KeyType::RSA, Err::CERT_TYPE_UNSUPPORTED);
  SNR_TRY(absorb(hs, *in));
  if (hs.ocsp_stapling) return next(kServerCertStatus);
  return next(hs.out->suite->kx == policy::KeyExchange::RSA ? kServerHelloDone : kServerKey);
}

Result<Outcome> recv_server_key(Handshake& hs, const InMessage* in);
Result<Outcome> recv_server_hello_done(Handshake& hs, const InMessage* in);

// CertificateStatus (RFC 6066 8) when the ServerHello acknowledged status_request. The server
// may still leave it out ("a server MAY also choose not to send a "CertificateStatus""): then
// the message is the one that would have followed Certificate.
Result<Outcome> recv_server_cert_status(Handshake& hs, const InMessage* in) {
  const bool rsa = hs.out->suite->kx == policy::KeyExchange::RSA;
  if (in->type == HandshakeType::certificate_status) {
    SNR_TRY(recv_certificate_status12(hs, *in));
    SNR_TRY(absorb(hs, *in));
    return next(rsa ? kServerHelloDone : kServerKey);
  }
  if (in->type == HandshakeType::server_key_exchange) {
    SNR_ENSURE(!rsa, Err::UNEXPECTED_MESSAGE);
    return recv_server_key(hs, in);
  }
  SNR_ENSURE(rsa, Err::UNEXPECTED_MESSAGE);
  return recv_server_hello_done(hs, in);
}

Status verify_ske_signature(Handshake& hs, const msg::ServerKeyExchange& ske) {
  crypto::SigParams params{crypto::SigKind::ECDSA, crypto::HashAlg::SHA1};
  const crypto::KeyType key = hs.peer_key->type();
  if (hs.version >= Version::TLS12) {
    const policy::SigScheme* s = policy::find_sig_scheme(ske.scheme);
    // RFC 5246 7.4.1.4.1: the server must use a scheme the client offered.
    SNR_ENSURE(s != nullptr && contains(hs.first_hello->ext.signature_algorithms, ske.scheme),
               Err::BAD_SIGNATURE_SCHEME);
    SNR_ENSURE(scheme_fits_key_12(*s, key), Err::BAD_SIGNATURE_SCHEME);
    params = s->params;
    hs.out->sig_scheme = s;
  } else if (key == crypto::KeyType::RSA) {
    params = {crypto::SigKind::RSA_PKCS1, crypto::HashAlg::MD5_SHA1};
  }
  return hs.settings.provider->verify(*hs.peer_key, params, ske_signed_content(hs, ske.params()),
                                      ske.signature);
}

// ServerKeyExchange (RFC 5246 7.4.3, RFC 8422 5.4).
Result<Outcome> recv_server_key(Handshake& hs, const InMessage* in) {
  const msg::KxKind kind = kx_kind(*hs.out->suite);
  SNR_TRY_ASSIGN(msg::ServerKeyExchange ske,
                 msg::parse_server_key_exchange(in->body, kind, hs.version >= Version::TLS12));
  SNR_TRY(verify_ske_signature(hs, ske));
  if (kind == msg::KxKind::ECDHE) {
    // RFC 8422 5.4: the curve must be one the client offered.
    SNR_ENSURE(contains(hs.first_hello->ext.supported_groups, ske.group) &&
                   crypto::key_share_supported(ske.group),
               Err::ILLEGAL_PARAMETER);
    SNR_TRY_ASSIGN(crypto::KeyShare mine, hs.settings.provider->generate_key_share(ske.group));
    SNR_TRY_ASSIGN(hs.pre_master, hs.settings.provider->derive(mine, ske.point));
    hs.kx_public.assign(mine.public_key().begin(), mine.public_key().end());
    hs.out->group = ske.group;
  } else {
    SNR_TRY(client_dhe_exchange(hs, ske));
  }
  SNR_TRY(absorb(hs, *in));
  return next(kServerHelloDone);
}

// ServerHelloDone (7.4.5), or a CertificateRequest (7.4.4) before it.
Result<Outcome> recv_server_hello_done(Handshake& hs, const InMessage* in) {
  if (in->type == HandshakeType::certificate_request) {
    SNR_ENSURE(!hs.cert_requested, Err::UNEXPECTED_MESSAGE);
    SNR_TRY(on_certificate_request12(hs, in->body));
    SNR_TRY(absorb(hs, *in));
    return next(kServerHelloDone);
  }
  SNR_TRY(msg::parse_server_hello_done(in->body));
  SNR_TRY(check_cert_request_seen(hs));
  // Nothing to sign: the messages kept for a CertificateVerify can go.
  if (!hs.cert_requested) hs.transcript.release_messages();
  SNR_TRY(absorb(hs, *in));
  return next(kClientCert);
}

// The client's Certificate (RFC 5246 7.4.6) when one was requested: its chain, or an empty
// list when it has none that fits.
Result<Outcome> send_client_cert(Handshake& hs, const InMessage*) {
  if (hs.cert_requested) SNR_TRY(send_client_certificate12(hs));
  return next(kClientKey);
}

// CertificateVerify (RFC 5246 7.4.8), right after ClientKeyExchange.
Result<Outcome> send_client_cert_verify(Handshake& hs, const InMessage*) {
  SNR_TRY_ASSIGN(bool sent, send_client_certificate_verify12(hs));
  if (!sent) return pause();  // the private key callback is working on it
  return next(kClientCcs);
}

// ClientKeyExchange (RFC 5246 7.4.7).
Result<Outcome> send_client_key(Handshake& hs, const InMessage*) {
  const msg::KxKind kind = kx_kind(*hs.out->suite);
  if (kind == msg::KxKind::RSA) SNR_TRY(client_rsa_exchange(hs));
  SNR_TRY(send(hs, msg::ClientKeyExchange{kind, hs.kx_public}));
  SNR_TRY(derive_keys12(hs));
  return next(hs.client_cert != nullptr ? kClientCertVerify : kClientCcs);
}

Result<Outcome> send_client_ccs(Handshake& hs, const InMessage*) {
  SNR_TRY(hs.io->send_change_cipher_spec());
  SNR_TRY(hs.io->set_write_keys12(*hs.out->suite, hs.version, hs.key_block->client));
  return next(kClientFinished);
}

// In an abbreviated handshake the client's Finished comes last (RFC 5246 7.3).
Result<Outcome> send_client_finished(Handshake& hs, const InMessage*) {
  msg::Finished fin;
  SNR_TRY_ASSIGN(fin.verify_data, finished12_for(hs, true));
  SNR_TRY(send(hs, fin));
  if (hs.resumed12) {
    hs.key_block.reset();
    // Some servers (OpenSSL) renew the ticket on resumption.
    if (!hs.new_ticket12.empty()) keep_issued_session12(hs);
    return done();
  }
  return next(hs.ticket12 ? kServerNewTicket : kServerCcs);
}

// NewSessionTicket (RFC 5077 3.3), promised by the ServerHello's session_ticket.
Result<Outcome> recv_new_ticket(Handshake& hs, const InMessage* in) {
  SNR_TRY_ASSIGN(msg::NewSessionTicket12 t, msg::parse_new_session_ticket12(in->body));
  hs.new_ticket12 = std::move(t.ticket);
  hs.new_ticket12_hint = t.lifetime_hint;
  if (!hs.new_ticket12.empty()) hs.out->flags |= flag::WITH_SESSION_TICKET;
  SNR_TRY(absorb(hs, *in));
  return next(kServerCcs);
}

Result<Outcome> recv_server_ccs(Handshake& hs, const InMessage*) {
  SNR_TRY(hs.io->set_read_keys12(*hs.out->suite, hs.version, hs.key_block->server));
  return next(kServerFinished);
}

Result<Outcome> recv_server_finished(Handshake& hs, const InMessage* in) {
  SNR_TRY(check_finished12(hs, *in, false));
  if (hs.resumed12) return next(kClientCcs);
  hs.key_block.reset();
  keep_issued_session12(hs);
  return done();
}

constexpr StepRow kSteps[] = {
    {kServerCert, "SERVER_CERT", accepts(HandshakeType::certificate), recv_server_cert},
    {kServerKey, "SERVER_KEY", accepts(HandshakeType::server_key_exchange), recv_server_key},
    {kServerHelloDone, "SERVER_HELLO_DONE",
     accepts(HandshakeType::server_hello_done) | accepts(HandshakeType::certificate_request),
     recv_server_hello_done},
    {kClientCert, "CLIENT_CERT", 0, send_client_cert},
    {kClientKey, "CLIENT_KEY", 0, send_client_key},
    {kClientCcs, "CLIENT_CHANGE_CIPHER_SPEC", 0, send_client_ccs},
    {kClientFinished, "CLIENT_FINISHED", 0, send_client_finished},
    {kServerCcs, "SERVER_CHANGE_CIPHER_SPEC", kAcceptsCcs, recv_server_ccs},
    {kServerFinished, "SERVER_FINISHED", accepts(HandshakeType::finished), recv_server_finished},
    {kServerNewTicket, "SERVER_NEW_SESSION_TICKET", accepts(HandshakeType::new_session_ticket),
     recv_new_ticket},
    {kClientCertVerify, "CLIENT_CERT_VERIFY", 0, send_client_cert_verify},
    {kServerCertStatus, "SERVER_CERT_STATUS",
     accepts(HandshakeType::certificate_status) | accepts(HandshakeType::server_key_exchange) |
         accepts(HandshakeType::server_hello_done) | accepts(HandshakeType::certificate_request),
     recv_server_cert_status},
};
static_assert(rows_in_order(kSteps), "client12 step rows must follow the Step enum");

// What a TLS 1.2 ServerHello may carry, each only in answer to the client (RFC 5246 7.4.1.4).
constexpr uint16_t kServerHello12Extensions[] = {ext::server_name,
                                                 ext::renegotiation_info,
                                                 ext::ec_point_formats,
                                                 ext::extended_master_secret,
                                                 ext::session_ticket,
                                                 ext::alpn,
                                                 ext::status_request,
                                                 ext::max_fragment_length,
                                                 ext::signed_certificate_timestamp};

}  // namespace

std::span<const StepRow> client12_steps() { return kSteps; }

Result<Outcome> continue_client12(Handshake& hs, const InMessage& in, const msg::ServerHello& sh,
                                  Version version) {
  const policy::CipherSuite* suite = policy::find_suite(sh.cipher_suite);
  // RFC 5246 7.4.1.3: the suite must be one the client offered (and fit the version).
  SNR_ENSURE(suite != nullptr && contains(hs.first_hello->cipher_suites, sh.cipher_suite) &&
                 suite_fits(*suite, version),
             Err::ILLEGAL_PARAMETER);
  SNR_ENSURE(sh.compression_method == 0, Err::COMPRESSION);
  for (uint16_t t : sh.ext.order) {
    SNR_ENSURE(contains(kServerHello12Extensions, t), Err::ILLEGAL_PARAMETER);
    SNR_ENSURE(contains(hs.offered_ext, t), Err::UNSUPPORTED_EXTENSION);
  }
  // RFC 5746 3.4: on a first handshake the server's renegotiated_connection must be empty.
  if (sh.ext.has(ext::renegotiation_info))
    SNR_ENSURE(sh.ext.renegotiation_info.empty(), Err::BAD_RENEGOTIATION_INFO);

  SNR_TRY(accept_alpn(hs, sh.ext));
  SNR_TRY(accept_mfl_answer(hs, sh.ext));
  hs.version = version;
  hs.ocsp_stapling = false;
  hs.ems = sh.ext.has(ext::extended_master_secret);
  hs.server_random = sh.random;
  hs.key_shares.clear();
  hs.out->version = version;
  hs.out->suite = suite;
  hs.ticket12 = sh.ext.has(ext::session_ticket);
  hs.io->version_known(wire_version(version));
  SNR_TRY_ASSIGN(bool resumed, client_resume12(hs, sh, version));
  hs.session_id = sh.session_id;
  hs.out->flags |= flag::NEGOTIATED;
  if (resumed) {
    hs.out->resumed = true;
  } else {
    hs.out->flags |= flag::FULL_HANDSHAKE;
    if (suite->kx != policy::KeyExchange::RSA) hs.out->flags |= flag::TLS12_PERFECT_FORWARD_SECRECY;
  }
  SNR_TRY(accept_status_request12(hs, sh.ext, resumed));

  // A client CertificateVerify signs the messages themselves (client_auth.hpp).
  if (!resumed && may_send_client_cert(hs)) hs.transcript.keep_messages();
  SNR_TRY(hs.transcript.set_hash(transcript_hash12(version, *suite)));
  SNR_TRY(absorb(hs, in));
  hs.steps = client12_steps();
  if (resumed) return next(hs.ticket12 ? kServerNewTicket : kServerCcs);
  return next(kServerCert);
}

}  // namespace snr::hs
