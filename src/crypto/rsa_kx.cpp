#include "crypto/rsa_kx.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <climits>
#include <memory>

#include "crypto/rsa_premaster.hpp"
#include "util/error_code.hpp"

namespace snr::crypto {

namespace {

struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;

// PKCS#1 v1.5 adds at least 11 bytes: 00 02, eight or more non-zero bytes, 00.
constexpr size_t kMinPadding = 11;

Error fail(Err e, const char* what) {
  ERR_clear_error();
  return make_error(e, what);
}

// ---- constant-time byte masks: 0xff for true, 0x00 for false ----

// Hides a value from the optimizer so that it cannot prove a mask is 0 or 0xff and turn the
// arithmetic below back into a branch.
inline uint8_t barrier(uint8_t v) {
  __asm__("" : "+r"(v));
  return v;
}

inline uint8_t ct_is_zero(uint8_t x) {
  // x - 1 wraps to all ones only for x == 0; its top bit is then the answer.
  const uint32_t wrapped = static_cast<uint32_t>(x) - 1u;
  return barrier(static_cast<uint8_t>(0u - (wrapped >> 31)));
}

inline uint8_t ct_eq(uint8_t a, uint8_t b) { return ct_is_zero(static_cast<uint8_t>(a ^ b)); }

inline uint8_t ct_select(uint8_t mask, uint8_t a, uint8_t b) {
  return static_cast<uint8_t>((a & mask) | (b & static_cast<uint8_t>(~mask)));
}

}  // namespace

Result<Bytes> rsa_encrypt_premaster(const PublicKey& server_key, ByteView premaster48) {
  if (premaster48.size() != kRsaPremasterSize) {
    return make_error(Err::INVALID_ARGUMENT, "premaster is not 48 bytes");
  }
  EVP_PKEY* pkey = static_cast<EVP_PKEY*>(server_key.native_handle());
  // RSASSA-PSS keys are for signatures only (RFC 4055 1.2).
  if (pkey == nullptr || !EVP_PKEY_is_a(pkey, "RSA")) {
    return make_error(Err::CERT_TYPE_UNSUPPORTED, "RSA key exchange needs an RSA key");
  }
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1) {
    return fail(Err::CRYPTO, "RSA encrypt init");
  }
  size_t len = 0;
  if (EVP_PKEY_encrypt(ctx.get(), nullptr, &len, premaster48.data(), premaster48.size()) != 1) {
    return fail(Err::CRYPTO, "RSA encrypt size");
  }
  Bytes out(len);
  if (EVP_PKEY_encrypt(ctx.get(), out.data(), &len, premaster48.data(), premaster48.size()) != 1) {
    return fail(Err::CRYPTO, "RSA encrypt");
  }
  // The server insists on exactly the modulus size.
  if (len != static_cast<size_t>(EVP_PKEY_get_size(pkey))) {
    return make_error(Err::CRYPTO, "RSA ciphertext size");
  }
  out.resize(len);
  return out;
}

// RFC 5246 7.4.7.1. Everything that depends on the decrypted bytes is computed with masks over
// a fixed sequence of operations: whether the padding or the version was wrong must not show
// in an error, an alert, or the time taken (Bleichenbacher; Klima, Pokorny and Rosa).
Result<SecureBytes> rsa_decrypt_premaster(const PrivateKey& key, ByteView encrypted,
                                          uint16_t client_version, ByteView random_fallback48) {
  if (random_fallback48.size() != kRsaPremasterSize) {
    return make_error(Err::INVALID_ARGUMENT, "fallback premaster is not 48 bytes");
  }
  EVP_PKEY* pkey = static_cast<EVP_PKEY*>(key.native_handle());
  if (pkey == nullptr || !EVP_PKEY_is_a(pkey, "RSA")) {
    return make_error(Err::INVALID_ARGUMENT, "RSA key exchange needs an RSA key");
  }
  const int size = EVP_PKEY_get_size(pkey);
  if (size <= 0) return fail(Err::CRYPTO, "RSA key size");
  const size_t k = static_cast<size_t>(size);
  if (k < kRsaPremasterSize + kMinPadding) return make_error(Err::INVALID_ARGUMENT, "RSA key");
  // The lengths are public: the ciphertext's says nothing about the plaintext.
  if (encrypted.size() != k) return make_error(Err::DECODE, "RSA ciphertext length");

  // A ciphertext that is not below the modulus cannot be decrypted at all. That is a
  // property of the public ciphertext alone, so it may take a different path, but it must
  // end like a bad padding does.
  BIGNUM* n_raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n_raw) != 1 || n_raw == nullptr) {
    return fail(Err::CRYPTO, "RSA modulus");
  }
  BnPtr n(n_raw);
  BnPtr c(BN_bin2bn(encrypted.data(), static_cast<int>(k), nullptr));
  if (!c) return fail(Err::ALLOC, "BN_bin2bn");
  if (BN_cmp(c.get(), n.get()) >= 0) return SecureBytes(random_fallback48);

  // Raw RSA: the padding check is ours, so it can be made constant-time. (libcrypto's own
  // PKCS#1 v1.5 decryption reports bad padding through its return value.)
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_NO_PADDING) != 1) {
    return fail(Err::CRYPTO, "RSA decrypt init");
  }
  SecureBytes em(k);
  size_t len = k;
  if (EVP_PKEY_decrypt(ctx.get(), em.data(), &len, encrypted.data(), k) != 1 || len != k) {
    return fail(Err::CRYPTO, "RSA decrypt");
  }

  SecureBytes premaster(kRsaPremasterSize);
  rsa_select_premaster(em, client_version, random_fallback48, premaster.mut_view());
  return premaster;
}

void rsa_select_premaster(ByteView em, uint16_t client_version, ByteView fallback48,
                          MutByteView out48) {
  // EM = 00 || 02 || PS || 00 || M with |M| = 48: the separator sits at k - 49, so PS spans
  // [2, k - 49) and is at least 8 bytes long because k >= 59.
  const size_t sep = em.size() - kRsaPremasterSize - 1;
  uint8_t good = static_cast<uint8_t>(ct_eq(em[0], 0x00) & ct_eq(em[1], 0x02));
  for (size_t i = 2; i < sep; ++i) good &= static_cast<uint8_t>(~ct_is_zero(em[i]));
  good &= ct_is_zero(em[sep]);
  // The version check masks in too: a mismatch must not be told apart from bad padding.
  good &= ct_eq(em[sep + 1], static_cast<uint8_t>(client_version >> 8));
  good &= ct_eq(em[sep + 2], static_cast<uint8_t>(client_version));
  good = barrier(good);

  for (size_t i = 0; i < kRsaPremasterSize; ++i) {
    out48[i] = ct_select(good, em[sep + 1 + i], fallback48[i]);
  }
}

}  // namespace snr::crypto
