// The TLS 1.3 client (RFC 8446 2, 4): one row per step, in the order the messages flow.
#include <arpa/inet.h>

#include <algorithm>

#include "hs/alpn.hpp"
#include "hs/client_auth.hpp"
#include "hs/common13.hpp"
#include "hs/early13.hpp"
#include "hs/mfl.hpp"
#include "hs/ocsp.hpp"
#include "hs/psk13.hpp"
#include "hs/tickets12.hpp"
#include "hs/versions.hpp"
#include "util/error_code.hpp"

namespace snr::hs {
namespace {

using msg::HandshakeType;
namespace ext = msg::ext;

enum Step : uint8_t {
  kClientHello,
  kServerHello,
  kEncryptedExtensions,
  kServerCert,
  kServerCertVerify,
  kServerFinished,
  kClientCert,
  kClientFinished,
  kEndOfEarlyData,
  kClientCertVerify,
};

bool is_ip_literal(std::string_view name) {
  std::string s(name);
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

// The policy's groups that snr can compute shares for, in preference order.
SmallVector<uint16_t, 12> usable_groups(const Handshake& hs) {
  SmallVector<uint16_t, 12> out;
  for (uint16_t g : hs.settings.policy->curves)
    if (crypto::key_share_supported(g)) out.push_back(g);
  return out;
}

// ClientHello (RFC 8446 4.1.2). After a HelloRetryRequest the same hello is sent again with
// the new key share and the cookie (4.1.2: "the client MUST send the same ClientHello without
// modification, except as follows").
Result<Outcome> send_client_hello(Handshake& hs, const InMessage*) {
  crypto::Provider& p = *hs.settings.provider;
  if (!hs.first_hello && !hs.settings.client_hello_override.empty()) {
    SNR_TRY_ASSIGN(msg::ClientHello ch, msg::parse_client_hello(hs.settings.client_hello_override));
    SNR_ENSURE(!ch.ext.key_shares.empty(), Err::INVALID_ARGUMENT);
    SNR_TRY_ASSIGN(crypto::KeyShare share, p.generate_key_share(ch.ext.key_shares[0].group));
    SNR_ENSURE(ct_equal(share.public_key(), ch.ext.key_shares[0].key_exchange),
               Err::INVALID_ARGUMENT);
    hs.client_random = ch.random;
    hs.session_id = ch.session_id;
    hs.client_version = ch.legacy_version;
    hs.offered_tls13 = ch.ext.has(ext::supported_versions) &&
                       contains(ch.ext.supported_versions, msg::version::TLS13);
    hs.key_shares.clear();
    hs.key_shares.push_back(std::move(share));
    // A resumption offer in the given hello is made from the session, as in a built one: its
    // identities (ticket and obfuscated age) come from it and its binders are recomputed on
    // sending; early_data in it is the client's own offer.
    if (ch.ext.has(ext::pre_shared_key)) {
      SNR_TRY(offer_psks(hs, ch));
      if (ch.ext.has(ext::early_data)) offer_early_data(hs, ch);
    }
    hs.offered_ext = ch.ext.order;
    hs.first_hello = std::move(ch);
  } else if (!hs.first_hello) {
    msg::ClientHello ch;
    SNR_TRY(p.random(ch.random));
    hs.client_random = ch.random;
    // Middlebox compatibility mode (RFC 8446 D.4): a non-empty legacy_session_id. Not in
    // QUIC (RFC 9001 8.4).
    if (!hs.settings.quic) {
      hs.session_id.resize(32);
      SNR_TRY(p.random(hs.session_id));
    }
    ch.session_id = hs.session_id;
    const Version top = std::min(max_version(*hs.settings.policy), hs.settings.version_cap);
    // QUIC needs TLS 1.3 (RFC 9001 4.2): nothing older is offered.
    const Version bottom = hs.settings.quic ? Version::TLS13 : min_version(*hs.settings.policy);
    SNR_ENSURE(!hs.settings.quic || top == Version::TLS13, Err::PROTOCOL_VERSION_UNSUPPORTED);
    const Version top12 = std::min(top, Version::TLS12);
    hs.offered_tls13 = top == Version::TLS13;
    for (uint16_t id : hs.settings.policy->cipher_suites) {
      const policy::CipherSuite* s = policy::find_suite(id);
      if (s == nullptr || !s->implemented) continue;
      if (s->is_tls13() ? hs.offered_tls13 : (bottom <= Version::TLS12 && suite_fits(*s, top12)))
        ch.cipher_suites.push_back(id);
    }
    SNR_ENSURE(!ch.cipher_suites.empty(), Err::CIPHER_NOT_SUPPORTED);
    ch.legacy_version = wire_version(top12);
    hs.client_version = ch.legacy_version;
    const SmallVector<uint16_t, 12> groups = usable_groups(hs);
    // TLS 1.3 needs a group for its key share; TLS 1.2 only for ECDHE suites.
    SNR_ENSURE(!groups.empty() || !hs.offered_tls13, Err::NO_SUPPORTED_GROUP);

    msg::Extensions& e = ch.ext;
    const std::string& sni = hs.settings.server_name;
    if (!sni.empty() && !is_ip_literal(sni)) {
      e.add(ext::server_name);
      e.server_name = sni;
    }
    if (!groups.empty()) {
      e.add(ext::supported_groups);
      e.supported_groups = groups;
    }
    e.add(ext::signature_algorithms);
    for (uint16_t id : hs.settings.policy->sig_schemes) {
      const policy::SigScheme* s = policy::find_sig_scheme(id);
      if (s && s->implemented) e.signature_algorithms.push_back(id);
    }
    offer_alpn(hs, e);
    offer_mfl(hs, e);
    offer_status_request(hs, e);
    if (bottom <= Version::TLS12) {
      // TLS 1.2 and older: uncompressed points (RFC 8422 5.1.2), RFC 7627, RFC 5746.
      e.add(ext::ec_point_formats);
      e.ec_point_formats = {0};
      e.add(ext::extended_master_secret);
      e.add(ext::renegotiation_info);
      offer_session12(hs, ch);
    }
    if (hs.offered_tls13) {
      e.add(ext::supported_versions);
      for (Version v = top; v >= bottom; v = static_cast<Version>(static_cast<uint8_t>(v) - 1))
        e.supported_versions.push_back(wire_version(v));
      SNR_TRY_ASSIGN(crypto::KeyShare share, p.generate_key_share(groups.front()));
      e.add(ext::key_share);
      e.key_shares = {msg::KeyShareEntry{share.group(), share.public_key()}};
      hs.key_shares.clear();
      hs.key_shares.push_back(std::move(share));
    }
    if (hs.settings.quic) {
      e.add(ext::quic_transport_parameters);
      e.quic_transport_parameters = hs.settings.quic_transport_params;
    }
    if (hs.offered_tls13) {
      SNR_TRY(offer_psks(hs, ch));
      offer_early_data(hs, ch);
    }
    hs.offered_ext = e.order;
    hs.first_hello = std::move(ch);
  } else {
    msg::ClientHello& ch = *hs.first_hello;
    const crypto::KeyShare& share = hs.key_shares.front();
    ch.ext.key_shares = {msg::KeyShareEntry{share.group(), share.public_key()}};
    if (!hs.cookie.empty()) {
      ch.ext.add(ext::cookie);
      ch.ext.cookie = hs.cookie;
      // The cookie goes before pre_shared_key, which stays last.
      if (ch.ext.has(ext::pre_shared_key)) {
        auto& order = ch.ext.order;
        order.erase(std::remove(order.begin(), order.end(), ext::pre_shared_key), order.end());
        order.push_back(ext::pre_shared_key);
      }
    }
    retain_psks_for_suite(hs, ch);
  }
  SNR_TRY(send_client_hello(hs, *hs.first_hello));
  if (!hs.hello_retry) SNR_TRY(start_early_data(hs));
  return next(kServerHello);
}

bool offered(const Handshake& hs, uint16_t type) { return contains(hs.offered_ext, type); }

// Every extension a server sends must answer one the client sent (RFC 8446 4.2:
// "an endpoint MUST abort the handshake with an "unsupported_extension" alert").
Status check_solicited(const Handshake& hs, const msg::Extensions& e, uint16_t except = 0xffff) {
  for (uint16_t t : e.order) SNR_ENSURE(t == except || offered(hs, t), Err::UNSUPPORTED_EXTENSION);
  return {};
}

Status check_hello_common(const Handshake& hs, const msg::ServerHello& sh) {
  // RFC 8446 4.1.3: a version other than TLS 1.3 in supported_versions is illegal_parameter.
  SNR_ENSURE(hs.offered_tls13 && sh.ext.has(ext::supported_versions),
             Err::PROTOCOL_VERSION_UNSUPPORTED);
  SNR_ENSURE(sh.ext.selected_version == msg::version::TLS13, Err::ILLEGAL_PARAMETER);
  SNR_ENSURE(sh.legacy_version == msg::version::TLS12, Err::ILLEGAL_PARAMETER);
  SNR_ENSURE(sh.session_id == hs.session_id, Err::BAD_SESSION_ID);
  SNR_ENSURE(sh.compression_method == 0, Err::COMPRESSION);
  SNR_ENSURE(contains(hs.first_hello->cipher_suites, sh.cipher_suite), Err::ILLEGAL_PARAMETER);
  // After a HelloRetryRequest the ServerHello must keep its suite (4.1.4).
  if (hs.out->suite) SNR_ENSURE(hs.out->suite->iana == sh.cipher_suite, Err::ILLEGAL_PARAMETER);
  return {};
}

// HelloRetryRequest (RFC 8446 4.1.4).
Result<Outcome> on_hello_retry(Handshake& hs, const InMessage& in, const msg::ServerHello& hrr) {
  // "If a client receives a second HelloRetryRequest in the same connection ..., it MUST
  // abort the handshake with an "unexpected_message" alert."
  SNR_ENSURE(!hs.hello_retry, Err::SECOND_HELLO_RETRY);
  SNR_TRY(check_hello_common(hs, hrr));
  SNR_TRY(check_solicited(hs, hrr.ext, ext::cookie));
  const bool new_share = hrr.ext.has(ext::key_share);
  // "Clients MUST abort the handshake with an "illegal_parameter" alert if the
  // HelloRetryRequest would not result in any change in the ClientHello."
  SNR_ENSURE(new_share || hrr.ext.has(ext::cookie), Err::BAD_HELLO_RETRY);
  if (new_share) {
    // The group must be one we offered and not one we already sent a share for.
    SNR_ENSURE(contains(hs.first_hello->ext.supported_groups, hrr.ext.hrr_group),
               Err::BAD_HELLO_RETRY);
    for (const crypto::KeyShare& k : hs.key_shares)
      SNR_ENSURE(k.group() != hrr.ext.hrr_group, Err::BAD_HELLO_RETRY);
  }
  const policy::CipherSuite* suite = policy::find_suite(hrr.cipher_suite);
  SNR_ENSURE(suite != nullptr, Err::ILLEGAL_PARAMETER);
  hs.out->suite = suite;
  hs.hello_retry = true;
  hs.out->flags |= flag::HELLO_RETRY_REQUEST;
  hs.cookie = hrr.ext.cookie;

  SNR_TRY(hs.transcript.set_hash(suite->hash));
  SNR_TRY(hs.transcript.replace_with_message_hash());
  SNR_TRY(absorb(hs, in));
  if (new_share) {
    SNR_TRY_ASSIGN(crypto::KeyShare share,
                   hs.settings.provider->generate_key_share(hrr.ext.hrr_group));
    hs.key_shares.clear();
    hs.key_shares.push_back(std::move(share));
  }
  SNR_TRY(cancel_early_data(hs, *hs.first_hello));
  // RFC 8446 5.1: records after the initial ClientHello say 0x0303.
  hs.io->version_known(msg::version::TLS12);
  // RFC 8446 D.4: the client's one CCS may go right before its second ClientHello.
  SNR_TRY(maybe_send_ccs(hs));
  return next(kClientHello);
}

// ServerHello (RFC 8446 4.1.3).
Result<Outcome> recv_server_hello(Handshake& hs, const InMessage* in) {
  SNR_TRY_ASSIGN(msg::ServerHello sh, msg::parse_server_hello(in->body));
  if (!sh.ext.has(ext::supported_versions) && !sh.is_hello_retry_request()) {
    // The server chose TLS 1.2 or older (RFC 8446 4.1.3, RFC 5246 7.4.1.3).
    const Version v = from_wire(sh.legacy_version);
    const Version top12 =
        std::min({max_version(*hs.settings.policy), hs.settings.version_cap, Version::TLS12});
    SNR_ENSURE(v != Version::Unknown && v >= min_version(*hs.settings.policy) && v <= top12,
               Err::PROTOCOL_VERSION_UNSUPPORTED);
    // "TLS 1.3 clients receiving a ServerHello indicating TLS 1.2 or below MUST check that the
    // last 8 bytes are not equal to either of these values"; TLS 1.2 clients check the 1.1 one
    // when they get TLS 1.1 or older.
    ByteView tail = ByteView(sh.random).last(8);
    const bool dg12 = ct_equal(tail, kDowngradeTls12), dg11 = ct_equal(tail, kDowngradeTls11);
    SNR_ENSURE(!(hs.offered_tls13 && (dg12 || dg11)), Err::PROTOCOL_DOWNGRADE_DETECTED);
    SNR_ENSURE(!(top12 == Version::TLS12 && v < Version::TLS12 && dg11),
               Err::PROTOCOL_DOWNGRADE_DETECTED);
    return continue_client12(hs, *in, sh, v);
  }
  if (sh.is_hello_retry_request()) return on_hello_retry(hs, *in, sh);

  SNR_TRY(check_hello_common(hs, sh));
  // A TLS 1.3 ServerHello carries only supported_versions, key_share and pre_shared_key.
  for (uint16_t t : sh.ext.order)
    SNR_ENSURE(t == ext::supported_versions || t == ext::key_share || t == ext::pre_shared_key,
               Err::ILLEGAL_PARAMETER);
  SNR_TRY(check_solicited(hs, sh.ext));
  SNR_TRY(accept_server_psk(hs, sh));
  SNR_ENSURE(sh.ext.has(ext::key_share), Err::MISSING_EXTENSION);
  const msg::KeyShareEntry& peer = sh.ext.key_shares.front();
  auto mine = std::find_if(hs.key_shares.begin(), hs.key_shares.end(),
                           [&](const crypto::KeyShare& k) { return k.group() == peer.group; });
  // RFC 8446 4.2.8: the server's group must be one the client sent a share for.
  SNR_ENSURE(mine != hs.key_shares.end(), Err::ILLEGAL_PARAMETER);
  SNR_TRY_ASSIGN(SecureBytes shared, hs.settings.provider->derive(*mine, peer.key_exchange));

  hs.server_random = sh.random;
  hs.out->suite = policy::find_suite(sh.cipher_suite);
  hs.out->group = peer.group;
  settle_tls13(hs);
  hs.key_shares.clear();
  hs.io->version_known(msg::version::TLS12);

  if (!hs.transcript.has_hash()) SNR_TRY(hs.transcript.set_hash(hs.out->suite->hash));
  SNR_TRY(absorb(hs, *in));
  SNR_TRY(derive_handshake_secrets(hs, shared));
  SNR_TRY(hs.io->set_read_secret(*hs.out->suite, hs.ks->server_handshake_secret().view()));
  // With early data in flight the early key stays the write key until EncryptedExtensions
  // (rejected) or EndOfEarlyData (accepted).
  if (hs.out->early_data == EarlyState::Requested) return next(kEncryptedExtensions);
  // From here on everything the client sends is protected — an alert too, which the server
  // (already reading with the client handshake key) could not take in plaintext. The
  // middlebox CCS (RFC 8446 D.4) therefore goes now, before the first protected record.
  SNR_TRY(maybe_send_ccs(hs));
  SNR_TRY(hs.io->set_write_secret(*hs.out->suite, hs.ks->client_handshake_secret().view()));
  return next(kEncryptedExtensions);
}

// EncryptedExtensions (RFC 8446 4.3.1).
Result<Outcome> recv_encrypted_extensions(Handshake& hs, const InMessage* in) {
  SNR_TRY_ASSIGN(msg::EncryptedExtensions ee, msg::parse_encrypted_extensions(in->body));
  SNR_TRY(check_solicited(hs, ee.ext));
  if (hs.settings.quic) {
    // RFC 9001 8.2: a server must answer with its own transport parameters.
    SNR_ENSURE(ee.ext.has(ext::quic_transport_parameters), Err::MISSING_EXTENSION);
    hs.out->quic_transport_params = ee.ext.quic_transport_parameters;
  }
  SNR_TRY(accept_alpn(hs, ee.ext));
  SNR_TRY(accept_mfl_answer(hs, ee.ext));
  SNR_TRY(accept_early_data_answer(hs, ee.ext));
  SNR_TRY(absorb(hs, *in));
  // A PSK handshake authenticates with the key: no certificates (RFC 8446 2.2).
  return next(hs.psk ? kServerFinished : kServerCert);
}

// CertificateRequest (4.3.2) or Certificate (4.4.2).
Result<Outcome> recv_server_cert(Handshake& hs, const InMessage* in) {
  if (in->type == HandshakeType::certificate_request) {
    SNR_ENSURE(!hs.cert_requested, Err::UNEXPECTED_MESSAGE);
    SNR_TRY_ASSIGN(msg::CertificateRequest cr, msg::parse_certificate_request(in->body));
    SNR_TRY(on_certificate_request13(hs, cr));
    SNR_TRY(note_status_request13(hs, cr.ext));
    SNR_TRY(absorb(hs, *in));
    return next(kServerCert);
  }
  // The request, if any, came before the server's Certificate.
  SNR_TRY(check_cert_request_seen(hs));
  SNR_TRY_ASSIGN(msg::Certificate cert, msg::parse_certificate(in->body));
  // The context is empty for server authentication (4.4.2).
  SNR_ENSURE(cert.request_context.empty(), Err::ILLEGAL_PARAMETER);
  SNR_TRY(accept_peer_certificates(hs, cert));
  SNR_TRY(accept_certificate_status13(hs, cert));
  SNR_TRY(absorb(hs, *in));
  return next(kServerCertVerify);
}

Result<Outcome> recv_server_cert_verify(Handshake& hs, const InMessage* in) {
  SNR_TRY(verify_peer_signature(hs, *in, true, hs.first_hello->ext.signature_algorithms));
  return next(kServerFinished);
}

Result<Outcome> recv_server_finished(Handshake& hs, const InMessage* in) {
  SNR_TRY(check_finished(hs, *in, hs.ks->server_handshake_secret()));
  SNR_TRY(derive_application_secrets(hs));
  SNR_TRY(hs.io->set_read_secret(*hs.out->suite, hs.ks->server_application_secret().view()));
  return next(kEndOfEarlyData);
}

// EndOfEarlyData (RFC 8446 4.5) when the server accepted early data.
Result<Outcome> send_end_of_early_data(Handshake& hs, const InMessage*) {
  SNR_TRY(finish_early_data(hs));
  return next(kClientCert);
}

// The client's second flight starts here: a Certificate only if one was requested (RFC 8446
// 4.4.2), empty when the client has none that fits (4.4.2.4 lets the server decide).
Result<Outcome> send_client_cert(Handshake& hs, const InMessage*) {
  if (!hs.cert_requested) return next(kClientFinished);
  SNR_TRY(send_client_certificate13(hs));
  return next(hs.client_cert != nullptr ? kClientCertVerify : kClientFinished);
}

// CertificateVerify (RFC 8446 4.4.3) with the client's context string.
Result<Outcome> send_client_cert_verify(Handshake& hs, const InMessage*) {
  SNR_TRY_ASSIGN(bool sent, send_certificate_verify(hs, *hs.client_cert, *hs.client_scheme, false));
  if (!sent) return pause();  // the private key callback is working on it
  return next(kClientFinished);
}

Result<Outcome> send_client_finished(Handshake& hs, const InMessage*) {
  msg::Finished fin;
  SNR_TRY_ASSIGN(crypto::Digest vd, finished_for(hs, hs.ks->client_handshake_secret()));
  fin.verify_data.assign(vd.view().begin(), vd.view().end());
  SNR_TRY(send(hs, fin));
  SNR_TRY(hs.io->set_write_secret(*hs.out->suite, hs.ks->client_application_secret().view()));
  SNR_TRY_ASSIGN(crypto::Digest h, hs.transcript.current());
  SNR_TRY(hs.ks->resumption(h.view()));
  hs.out->resumption_secret = hs.ks->resumption_master_secret();
  return done();
}

constexpr StepRow kSteps[] = {
    {kClientHello, "CLIENT_HELLO", 0, send_client_hello},
    {kServerHello, "SERVER_HELLO", accepts(HandshakeType::server_hello), recv_server_hello},
    {kEncryptedExtensions, "ENCRYPTED_EXTENSIONS", accepts(HandshakeType::encrypted_extensions),
     recv_encrypted_extensions},
    {kServerCert, "SERVER_CERT",
     accepts(HandshakeType::certificate) | accepts(HandshakeType::certificate_request),
     recv_server_cert},
    {kServerCertVerify, "SERVER_CERT_VERIFY", accepts(HandshakeType::certificate_verify),
     recv_server_cert_verify},
    {kServerFinished, "SERVER_FINISHED", accepts(HandshakeType::finished), recv_server_finished},
    {kClientCert, "CLIENT_CERT", 0, send_client_cert},
    {kClientFinished, "CLIENT_FINISHED", 0, send_client_finished},
    {kEndOfEarlyData, "END_OF_EARLY_DATA", 0, send_end_of_early_data},
    {kClientCertVerify, "CLIENT_CERT_VERIFY", 0, send_client_cert_verify},
};

static_assert(rows_in_order(kSteps), "client13 step rows must follow the Step enum");

}  // namespace

std::span<const StepRow> client13_steps() { return kSteps; }

}  // namespace snr::hs
