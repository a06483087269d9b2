#include "hs/common13.hpp"

#include <algorithm>

#include "hs/pkey_ops.hpp"
#include "util/error_code.hpp"

namespace snr::hs {

bool contains(std::span<const uint16_t> list, uint16_t v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

Status maybe_send_ccs(Handshake& hs) {
  if (hs.ccs_sent || hs.session_id.empty()) return {};
  hs.ccs_sent = true;
  return hs.io->send_change_cipher_spec();
}

Status derive_handshake_secrets(Handshake& hs, ByteView shared_secret) {
  SNR_TRY_ASSIGN(crypto::Digest h, hs.transcript.current());
  hs.ks.emplace(hs.transcript.alg());
  SNR_TRY(hs.ks->early(hs.psk ? hs.psk->secret.view() : ByteView()));
  SNR_TRY(hs.ks->handshake(shared_secret, h.view()));
  log_secret(hs, "CLIENT_HANDSHAKE_TRAFFIC_SECRET", hs.ks->client_handshake_secret());
  log_secret(hs, "SERVER_HANDSHAKE_TRAFFIC_SECRET", hs.ks->server_handshake_secret());
  return {};
}

Status derive_application_secrets(Handshake& hs) {
  SNR_TRY_ASSIGN(crypto::Digest h, hs.transcript.current());
  SNR_TRY(hs.ks->master(h.view()));
  log_secret(hs, "CLIENT_TRAFFIC_SECRET_0", hs.ks->client_application_secret());
  log_secret(hs, "SERVER_TRAFFIC_SECRET_0", hs.ks->server_application_secret());
  log_secret(hs, "EXPORTER_SECRET", hs.ks->exporter_master_secret());
  hs.out->exporter_secret = hs.ks->exporter_master_secret();
  return {};
}

Result<crypto::Digest> finished_for(Handshake& hs, const crypto::Digest& base_key) {
  SNR_TRY_ASSIGN(crypto::Digest h, hs.transcript.current());
  return keys::finished_verify_data(hs.transcript.alg(), base_key.view(), h.view());
}

Status check_finished(Handshake& hs, const InMessage& in, const crypto::Digest& base_key) {
  SNR_TRY_ASSIGN(msg::Finished fin, msg::parse_finished(in.body));
  SNR_TRY_ASSIGN(crypto::Digest expect, finished_for(hs, base_key));
  // RFC 8446 4.4.4: "Recipients of Finished messages MUST verify that the contents are
  // correct and if incorrect MUST terminate the connection with a "decrypt_error" alert."
  SNR_ENSURE(fin.verify_data.size() == expect.len, Err::DECODE);
  SNR_ENSURE(ct_equal(fin.verify_data, expect.view()) || crypto::null_crypto(hs.settings.provider),
             Err::BAD_FINISHED);
  return absorb(hs, in);
}

Result<CertificateVerifyContent> certificate_verify_content(Handshake& hs, bool server) {
  static constexpr std::string_view kServer = "TLS 1.3, server CertificateVerify";
  static constexpr std::string_view kClient = "TLS 1.3, client CertificateVerify";
  SNR_TRY_ASSIGN(crypto::Digest h, hs.transcript.current());
  std::string_view ctx = server ? kServer : kClient;
  static_assert(kServer.size() == kClient.size() &&
                64 + kServer.size() + 1 + crypto::kMaxHashSize == kCertificateVerifyContentMax);
  CertificateVerifyContent content;
  content.assign(64 + ctx.size() + 1 + h.len, 0x20);
  MutByteView rest = MutByteView(content).subspan(64);
  std::copy(ctx.begin(), ctx.end(), rest.begin());
  rest[ctx.size()] = 0;
  ByteView hv = h.view();
  std::copy(hv.begin(), hv.end(), rest.subspan(ctx.size() + 1).begin());
  return content;
}

void log_secret(Handshake& hs, std::string_view label, const crypto::Digest& secret) {
  if (hs.settings.key_log) hs.settings.key_log(label, hs.client_random, secret.view());
  if (hs.settings.on_secret) hs.settings.on_secret(label, secret.view());
}

Status verify_peer_signature(Handshake& hs, const InMessage& in, bool server_signed,
                             std::span<const uint16_t> allowed) {
  SNR_TRY_ASSIGN(msg::CertificateVerify cv, msg::parse_certificate_verify(in.body));
  const policy::SigScheme* scheme = policy::find_sig_scheme(cv.scheme);
  // RFC 8446 4.4.3: the scheme must be one we offered, and valid for TLS 1.3 with this key.
  SNR_ENSURE(scheme != nullptr && contains(allowed, cv.scheme), Err::BAD_SIGNATURE_SCHEME);
  SNR_ENSURE(hs.peer_key.has_value(), Err::INTERNAL);
  SNR_ENSURE(policy::scheme_fits_key_13(*scheme, hs.peer_key->type()), Err::BAD_SIGNATURE_SCHEME);
  SNR_TRY_ASSIGN(const CertificateVerifyContent content,
                 certificate_verify_content(hs, server_signed));
  SNR_TRY(hs.settings.provider->verify(*hs.peer_key, scheme->params, content, cv.signature));
  if (server_signed) {
    hs.out->sig_scheme = scheme;
  } else {
    hs.out->client_sig_scheme = scheme;
  }
  return absorb(hs, in);
}

Result<const policy::SigScheme*> choose_signature_scheme(const Handshake& hs,
                                                         std::span<const uint16_t> offered,
                                                         crypto::KeyType key) {
  for (uint16_t id : hs.settings.policy->sig_schemes) {
    const policy::SigScheme* s = policy::find_sig_scheme(id);
    if (s == nullptr || !s->implemented || !policy::scheme_fits_key_13(*s, key)) continue;
    if (contains(offered, id)) return s;
  }
  return make_error(Err::NO_VALID_SIGNATURE_SCHEME);
}

Result<bool> send_certificate_verify(Handshake& hs, const detail::CertifiedKey& key,
                                     const policy::SigScheme& scheme, bool server) {
  SNR_TRY_ASSIGN(const CertificateVerifyContent content, certificate_verify_content(hs, server));
  msg::CertificateVerify cv;
  cv.scheme = scheme.iana;
  SNR_TRY_ASSIGN(std::optional<Bytes> sig, sign_or_offload(hs, key, scheme.params, content));
  if (!sig) return false;
  cv.signature = std::move(*sig);
  SNR_TRY(send(hs, cv));
  return true;
}

}  // namespace snr::hs
