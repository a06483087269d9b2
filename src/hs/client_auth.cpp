#include "hs/client_auth.hpp"

#include <algorithm>

#include "hs/common12.hpp"
#include "hs/ocsp.hpp"
#include "hs/pkey_ops.hpp"
#include "msg/messages12.hpp"
#include "util/error_code.hpp"
#include "wire/writer.hpp"

namespace snr::hs {

namespace ext = msg::ext;
using crypto::KeyType;

namespace {

bool is_ec(KeyType k) {
  return k == KeyType::EC_P256 || k == KeyType::EC_P384 || k == KeyType::EC_P521;
}

// The schemes a CertificateRequest offers: every scheme of the policy snr implements, as the
// client's ClientHello lists them (the list also speaks for certificate signatures,
// RFC 8446 4.2.3).
std::vector<uint16_t> offered_schemes(const Handshake& hs) {
  std::vector<uint16_t> out;
  for (uint16_t id : hs.settings.policy->sig_schemes) {
    const policy::SigScheme* s = policy::find_sig_scheme(id);
    if (s != nullptr && s->implemented) out.push_back(id);
  }
  return out;
}

// RFC 5246 7.4.4 / RFC 8422 5.5: the certificate type a key answers to (Ed25519 goes under
// ecdsa_sign).
uint8_t certificate_type_of(KeyType k) {
  return k == KeyType::RSA || k == KeyType::RSA_PSS ? msg::kCertTypeRsaSign
                                                    : msg::kCertTypeEcdsaSign;
}

// Whether the server's certificate_types admit this key.
bool contains_type(const Handshake& hs, KeyType key) {
  for (uint8_t t : hs.cert_request_types)
    if (t == certificate_type_of(key)) return true;
  return false;
}

// TLS 1.0/1.1 signatures have fixed algorithms (RFC 4346 7.4.8): RSA signs MD5||SHA-1
// without DigestInfo, ECDSA signs SHA-1 (RFC 4492 5.8).
Result<crypto::SigParams> legacy_params(KeyType k) {
  if (k == KeyType::RSA)
    return crypto::SigParams{crypto::SigKind::RSA_PKCS1, crypto::HashAlg::MD5_SHA1};
  if (is_ec(k)) return crypto::SigParams{crypto::SigKind::ECDSA, crypto::HashAlg::SHA1};
  return make_error(Err::CERT_TYPE_UNSUPPORTED, "key type unusable before TLS 1.2");
}

// The scheme `cert` would answer this request with: Ok(nullptr) for TLS 1.0/1.1 (fixed
// algorithms), an error when the request admits none.
Result<const policy::SigScheme*> client_scheme_for(const Handshake& hs,
                                                   const detail::CertifiedKey& cert, bool tls13) {
  if (tls13) return choose_signature_scheme(hs, hs.cert_request_schemes, cert.key_type);
  if (!contains_type(hs, cert.key_type))
    return make_error(Err::NO_VALID_SIGNATURE_SCHEME, "certificate type not requested");
  if (hs.version < Version::TLS12) {
    SNR_TRY(legacy_params(cert.key_type));
    return nullptr;
  }
  for (uint16_t id : hs.settings.policy->sig_schemes) {
    const policy::SigScheme* s = policy::find_sig_scheme(id);
    if (s == nullptr || !s->implemented || !scheme_fits_key_12(*s, cert.key_type)) continue;
    if (contains(hs.cert_request_schemes, id)) return s;
  }
  return make_error(Err::NO_VALID_SIGNATURE_SCHEME, "no requested scheme fits the key");
}

// The client's chains in the order they are tried: the load_pem chain, then the defaults
// (one per key type), then the other load_chain chains in load order.
std::vector<const detail::CertifiedKey*> client_candidates(const detail::ConfigData& cfg) {
  std::vector<const detail::CertifiedKey*> out;
  if (cfg.cert) out.push_back(&*cfg.cert);
  auto add = [&out](const detail::CertifiedKey* c) {
    if (c != nullptr && std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  };
  for (const detail::CertifiedKey* c : cfg.chains.defaults()) add(c);
  for (const detail::CertifiedKey* c : cfg.chains.all()) add(c);
  return out;
}

// Client: settles on the chain the application's callback chose, else on the first
// configured chain whose key the request admits, and its scheme, or none.
Status choose_client_certificate(Handshake& hs, bool tls13, std::span<const Bytes> authorities) {
  if (hs.settings.cert_request) {
    SNR_TRY_ASSIGN(const detail::CertifiedKey* chosen,
                   hs.settings.cert_request(hs.cert_request_schemes, authorities));
    if (chosen != nullptr) {
      // The application chose explicitly: a chain the request cannot take is its error.
      SNR_TRY_ASSIGN(const policy::SigScheme* scheme, client_scheme_for(hs, *chosen, tls13));
      hs.client_cert = chosen;
      hs.client_scheme = scheme;
      return {};
    }
  }
  const detail::ConfigData& cfg = *hs.settings.config;
  const bool required = hs.settings.client_auth == ClientAuthType::Required;
  const std::vector<const detail::CertifiedKey*> candidates = client_candidates(cfg);
  if (candidates.empty()) {
    SNR_ENSURE(!required, Err::NO_CLIENT_CERTIFICATE);
    return {};
  }
  for (const detail::CertifiedKey* cert : candidates) {
    Result<const policy::SigScheme*> scheme = client_scheme_for(hs, *cert, tls13);
    if (!scheme.ok()) continue;
    hs.client_cert = cert;
    hs.client_scheme = *scheme;
    return {};
  }
  // Optional: the server gets an empty Certificate and decides (RFC 8446 4.4.2.4).
  if (required)
    return make_error(Err::NO_VALID_SIGNATURE_SCHEME,
                      "no client certificate's key fits the requested signatures");
  return {};
}

}  // namespace

bool client_authenticated(const Handshake& hs) {
  // A resumed session keeps what its full handshake established.
  if (hs.resumed12) return hs.resumed_client_auth;
  if (hs.psk) return hs.psk->state && hs.psk->state->client_authenticated;
  const uint32_t f = hs.out->flags;
  return (f & flag::CLIENT_AUTH) != 0 && (f & flag::NO_CLIENT_CERT) == 0;
}

bool resumable_for_client_auth(const Handshake& hs, const resume::SessionState& st) {
  return hs.settings.client_auth != ClientAuthType::Required || st.client_authenticated;
}

Bytes certificate_list_bytes(const msg::Certificate& cert) {
  Bytes out;
  wire::Writer w(out);
  for (const msg::CertificateEntry& e : cert.entries) w.prefixed_bytes<3>(e.cert_data);
  return out;
}

// --- server ---

bool requests_client_cert(const Handshake& hs) {
  return hs.settings.mode == Mode::Server && hs.settings.client_auth != ClientAuthType::None &&
         !hs.psk && !hs.resumed12;
}

// CertificateRequest (RFC 8446 4.3.2): "certificate_request_context ... SHALL be zero length"
// in the main handshake; signature_algorithms "MUST be specified".
Status send_certificate_request13(Handshake& hs) {
  msg::CertificateRequest cr;
  cr.ext.add(ext::signature_algorithms);
  cr.ext.signature_algorithms = offered_schemes(hs);
  const std::vector<Bytes>& names = hs.settings.config->ca_names;
  if (!names.empty()) {
    Bytes data;
    SNR_ENSURE(msg::write_certificate_authorities(names, data), Err::INTERNAL);
    cr.ext.add(ext::certificate_authorities);
    cr.ext.unknown.push_back(msg::RawExtension{ext::certificate_authorities, std::move(data)});
  }
  request_client_status13(hs, cr.ext);
  hs.cert_request_schemes = cr.ext.signature_algorithms.to_vector();
  SNR_TRY(send(hs, cr));
  hs.cert_requested = true;
  hs.out->flags |= flag::CLIENT_AUTH;
  return {};
}

// CertificateRequest (RFC 5246 7.4.4).
Status send_certificate_request12(Handshake& hs) {
  msg::CertificateRequest12 cr;
  cr.certificate_types = {msg::kCertTypeRsaSign, msg::kCertTypeEcdsaSign};
  if (hs.version >= Version::TLS12) cr.signature_algorithms = offered_schemes(hs);
  cr.certificate_authorities = hs.settings.config->ca_names;
  hs.cert_request_schemes = cr.signature_algorithms;
  SNR_TRY(send(hs, cr));
  hs.cert_requested = true;
  hs.out->flags |= flag::CLIENT_AUTH;
  return {};
}

Result<bool> accept_client_certificate(Handshake& hs, const msg::Certificate& cert) {
  if (cert.entries.empty()) {
    // RFC 8446 4.4.2.4: "If the client does not send any certificates ... the server MAY at
    // its discretion either continue the handshake without client authentication, or abort
    // the handshake with a "certificate_required" alert." RFC 5246 7.4.6 names
    // handshake_failure for the same decision.
    if (hs.settings.client_auth == ClientAuthType::Required)
      return make_error(hs.out->version == Version::TLS13 ? Err::CLIENT_CERT_REQUIRED
                                                          : Err::MISSING_CLIENT_CERT);
    hs.out->flags |= flag::NO_CLIENT_CERT;
    hs.transcript.release_messages();
    return false;
  }
  SNR_TRY(accept_peer_certificates(hs, cert));
  if (hs.out->version < Version::TLS12) SNR_TRY(legacy_params(hs.peer_key->type()));
  hs.out->client_cert_chain = certificate_list_bytes(cert);
  return true;
}

// CertificateVerify (RFC 5246 7.4.8): a signature over handshake_messages, all messages up to
// (not including) this one.
Status verify_client_certificate_verify12(Handshake& hs, const InMessage& in) {
  const bool tls12 = hs.out->version >= Version::TLS12;
  SNR_TRY_ASSIGN(msg::CertificateVerify12 cv, msg::parse_certificate_verify12(in.body, tls12));
  SNR_ENSURE(hs.peer_key.has_value() && hs.transcript.keeps_messages(), Err::INTERNAL);
  const KeyType key = hs.peer_key->type();
  crypto::SigParams params{crypto::SigKind::ECDSA, crypto::HashAlg::SHA1};
  const policy::SigScheme* scheme = nullptr;
  if (tls12) {
    scheme = policy::find_sig_scheme(cv.scheme);
    // The scheme must be one the CertificateRequest offered, and fit the certificate's key.
    SNR_ENSURE(scheme != nullptr && scheme->implemented &&
                   contains(hs.cert_request_schemes, cv.scheme) && scheme_fits_key_12(*scheme, key),
               Err::BAD_SIGNATURE_SCHEME);
    params = scheme->params;
  } else {
    SNR_TRY_ASSIGN(params, legacy_params(key));
  }
  SNR_TRY(
      hs.settings.provider->verify(*hs.peer_key, params, hs.transcript.messages(), cv.signature));
  hs.out->client_sig_scheme = scheme;
  hs.transcript.release_messages();
  return absorb(hs, in);
}

// --- client ---

Status on_certificate_request13(Handshake& hs, const msg::CertificateRequest& cr) {
  SNR_ENSURE(hs.settings.client_auth != ClientAuthType::None, Err::UNEXPECTED_CERT_REQUEST);
  // "The "signature_algorithms" extension MUST be specified" (4.3.2).
  SNR_ENSURE(cr.ext.has(ext::signature_algorithms), Err::MISSING_EXTENSION);
  // The names are a hint for the certificate request callback; they must be well-formed.
  std::vector<Bytes> authorities;
  for (const msg::RawExtension& raw : cr.ext.unknown) {
    if (raw.type == ext::certificate_authorities) {
      SNR_TRY_ASSIGN(authorities, msg::parse_certificate_authorities(raw.data, false));
    }
  }
  hs.cert_requested = true;
  hs.cert_request_context = cr.context;
  hs.cert_request_schemes = cr.ext.signature_algorithms.to_vector();
  hs.out->flags |= flag::CLIENT_AUTH;
  return choose_client_certificate(hs, true, authorities);
}

Status on_certificate_request12(Handshake& hs, ByteView body) {
  SNR_TRY_ASSIGN(msg::CertificateRequest12 cr,
                 msg::parse_certificate_request12(body, hs.version >= Version::TLS12));
  SNR_ENSURE(hs.settings.client_auth != ClientAuthType::None, Err::UNEXPECTED_CERT_REQUEST);
  hs.cert_requested = true;
  hs.cert_request_types = std::move(cr.certificate_types);
  hs.cert_request_schemes = std::move(cr.signature_algorithms);
  hs.out->flags |= flag::CLIENT_AUTH;
  return choose_client_certificate(hs, false, cr.certificate_authorities);
}

Status check_cert_request_seen(const Handshake& hs) {
  SNR_ENSURE(hs.cert_requested || hs.settings.client_auth != ClientAuthType::Required,
             Err::MISSING_CERT_REQUEST);
  return {};
}

bool may_send_client_cert(const Handshake& hs) {
  const detail::ConfigData& cfg = *hs.settings.config;
  return hs.settings.mode == Mode::Client && hs.settings.client_auth != ClientAuthType::None &&
         (cfg.cert.has_value() || cfg.chains.has_app_chains());
}

// Certificate (RFC 8446 4.4.2): the request's context echoed, then our chain or nothing.
Status send_client_certificate13(Handshake& hs) {
  msg::Certificate cert;
  cert.request_context = hs.cert_request_context;
  if (hs.client_cert != nullptr) {
    for (const Bytes& der : hs.client_cert->chain_der)
      cert.entries.push_back(msg::CertificateEntry{der, {}});
    hs.out->local_chain = &hs.client_cert->chain;
    hs.out->client_sig_scheme = hs.client_scheme;
  } else {
    hs.out->flags |= flag::NO_CLIENT_CERT;
  }
  staple_client_certificate13(hs, cert);
  return send(hs, cert);
}

// Certificate (RFC 5246 7.4.6): "If no suitable certificate is available, the client MUST
// send a certificate message containing no certificates."
Status send_client_certificate12(Handshake& hs) {
  msg::Certificate12 cert;
  if (hs.client_cert != nullptr) {
    cert.certs = hs.client_cert->chain_der;
    hs.out->local_chain = &hs.client_cert->chain;
  } else {
    hs.out->flags |= flag::NO_CLIENT_CERT;
  }
  SNR_TRY(send(hs, cert));
  if (hs.client_cert == nullptr) hs.transcript.release_messages();
  return {};
}

Result<bool> send_client_certificate_verify12(Handshake& hs) {
  SNR_ENSURE(hs.client_cert != nullptr && hs.transcript.keeps_messages(), Err::INTERNAL);
  crypto::SigParams params{crypto::SigKind::ECDSA, crypto::HashAlg::SHA1};
  if (hs.client_scheme != nullptr) {
    params = hs.client_scheme->params;
  } else {
    SNR_TRY_ASSIGN(params, legacy_params(hs.client_cert->key_type));
  }
  msg::CertificateVerify12 cv;
  cv.scheme = hs.client_scheme != nullptr ? hs.client_scheme->iana : 0;
  SNR_TRY_ASSIGN(std::optional<Bytes> sig,
                 sign_or_offload(hs, *hs.client_cert, params, hs.transcript.messages()));
  if (!sig) return false;
  cv.signature = std::move(*sig);
  SNR_TRY(send(hs, cv));
  hs.transcript.release_messages();
  hs.out->client_sig_scheme = hs.client_scheme;
  return true;
}

}  // namespace snr::hs
