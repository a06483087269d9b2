#include "hs/pkey_ops.hpp"

#include <array>

#include "crypto/hash.hpp"
#include "crypto/rsa_kx.hpp"
#include "crypto/rsa_premaster.hpp"
#include "util/error_code.hpp"

namespace snr::hs {

namespace {

// What the application signs: the digest, except for Ed25519, which has no prehash form.
Result<Bytes> sign_input(crypto::SigParams params, ByteView message) {
  if (params.kind == crypto::SigKind::ED25519) return Bytes(message.begin(), message.end());
  SNR_TRY_ASSIGN(crypto::Hash h, crypto::Hash::create(params.hash));
  SNR_TRY(h.update(message));
  SNR_TRY_ASSIGN(crypto::Digest d, h.peek());
  return Bytes(d.view().begin(), d.view().end());
}

// Whether the config in force (the client hello callback may have swapped it) hands
// private-key operations to the application.
bool offloaded(const Handshake& hs) {
  return hs.settings.pkey_offload && hs.settings.config && hs.settings.config->private_key_cb;
}

// Runs the request, or collects the answer of the one already with the application.
Result<std::optional<SecureBytes>> offload(Handshake& hs, PkeyRequest req, bool need_input,
                                           const std::function<Result<Bytes>()>& input) {
  Bytes in;
  // A step that runs again after its pause does not recompute the input: the application
  // already has it.
  if (!hs.pkey_in_flight && need_input) {
    SNR_TRY_ASSIGN(in, input());
    req.input = in;
  }
  SNR_TRY_ASSIGN(std::optional<SecureBytes> out, hs.settings.pkey_offload(req));
  hs.pkey_in_flight = !out.has_value();
  return out;
}

}  // namespace

Result<std::optional<Bytes>> sign_or_offload(Handshake& hs, const detail::CertifiedKey& key,
                                             crypto::SigParams params, ByteView message) {
  if (!offloaded(hs)) {
    SNR_ENSURE(key.key.has_value(), Err::NO_PRIVATE_KEY);
    SNR_TRY_ASSIGN(Bytes sig, hs.settings.provider->sign(*key.key, params, message));
    return std::optional<Bytes>(std::move(sig));
  }
  PkeyRequest req;
  req.params = params;
  req.key_type = key.key_type;
  SNR_TRY_ASSIGN(std::optional<SecureBytes> out,
                 offload(hs, req, true, [&] { return sign_input(params, message); }));
  if (!out) return std::optional<Bytes>();
  // A broken offload (wrong key, wrong hash, corrupted bytes) is caught here rather than by
  // the peer, whose alert would say nothing about the cause.
  SNR_ENSURE(!key.chain_der.empty(), Err::INTERNAL);
  SNR_TRY_ASSIGN(crypto::PublicKey pub, crypto::PublicKey::from_certificate(key.chain_der.front()));
  if (!pub.verify(params, message, out->view()).ok()) return make_error(Err::ASYNC_BAD_SIGNATURE);
  return std::optional<Bytes>(Bytes(out->view().begin(), out->view().end()));
}

Result<bool> decrypt_premaster_or_offload(Handshake& hs, ByteView encrypted_premaster) {
  SNR_ENSURE(hs.cert != nullptr, Err::INTERNAL);
  if (!offloaded(hs)) {
    SNR_ENSURE(hs.cert->key.has_value(), Err::NO_PRIVATE_KEY);
    // A random premaster stands in for a bad one, without revealing which (Bleichenbacher):
    // the handshake then fails at Finished like any other mismatch.
    SecureBytes fallback(crypto::kRsaPremasterSize);
    SNR_TRY(hs.settings.provider->random(fallback.mut_view()));
    SNR_TRY_ASSIGN(hs.pre_master, crypto::rsa_decrypt_premaster(*hs.cert->key, encrypted_premaster,
                                                                hs.client_version, fallback));
    return true;
  }
  PkeyRequest req;
  req.decrypt = true;
  req.key_type = hs.cert->key_type;
  req.input = encrypted_premaster;
  SNR_TRY_ASSIGN(std::optional<SecureBytes> out, offload(hs, req, false, nullptr));
  if (!out) return false;
  SecureBytes fallback(crypto::kRsaPremasterSize);
  SNR_TRY(hs.settings.provider->random(fallback.mut_view()));
  SecureBytes premaster(crypto::kRsaPremasterSize);
  if (out->size() != crypto::kRsaPremasterSize) {
    // The application's decryption failed (or answered nonsense): like a bad padding.
    premaster = std::move(fallback);
  } else {
    // Framed as a well-padded PKCS#1 v1.5 block so that the one constant-time selection
    // (which also checks the version bytes) serves both paths: 00 02, eight non-zero
    // bytes, 00, the 48-byte plaintext.
    SecureBytes em(crypto::kRsaPremasterSize + 11);
    MutByteView e = em.mut_view();
    e[0] = 0x00;
    e[1] = 0x02;
    for (size_t i = 2; i < 10; ++i) e[i] = 0xff;
    e[10] = 0x00;
    ByteView o = out->view();
    std::copy(o.begin(), o.end(), e.subspan(11).begin());
    crypto::rsa_select_premaster(em.view(), hs.client_version, fallback.view(),
                                 premaster.mut_view());
  }
  hs.pre_master = std::move(premaster);
  return true;
}

}  // namespace snr::hs
