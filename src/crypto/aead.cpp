#include "crypto/aead.hpp"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <array>
#include <climits>

#include "crypto/fetch.hpp"
#include "util/error_code.hpp"

namespace snr::crypto {

namespace {

const EVP_CIPHER* fetched_cipher(AeadAlg alg) {
  switch (alg) {
    case AeadAlg::AES_128_GCM:
      return fetched_cipher(CipherId::AES_128_GCM);
    case AeadAlg::AES_256_GCM:
      return fetched_cipher(CipherId::AES_256_GCM);
    case AeadAlg::CHACHA20_POLY1305:
      return fetched_cipher(CipherId::CHACHA20_POLY1305);
  }
  return nullptr;
}

Error crypto_error(Err e, const char* what) {
  ERR_clear_error();
  return make_error(e, what);
}

// EVP lengths are int; TLS records are far smaller, but a caller bug must not wrap.
bool fits_int(size_t n) { return n <= static_cast<size_t>(INT_MAX); }

}  // namespace

size_t aead_key_size(AeadAlg alg) {
  switch (alg) {
    case AeadAlg::AES_128_GCM:
      return 16;
    case AeadAlg::AES_256_GCM:
      return 32;
    case AeadAlg::CHACHA20_POLY1305:
      return 32;
  }
  return 0;
}

namespace {
Result<EVP_CIPHER_CTX*> new_context(AeadAlg alg, ByteView key) {
  const EVP_CIPHER* cipher = fetched_cipher(alg);
  if (cipher == nullptr) return make_error(Err::CRYPTO, "cipher unavailable");
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  if (ctx == nullptr) return make_error(Err::ALLOC, "EVP_CIPHER_CTX_new");
  if (EVP_CipherInit_ex2(ctx, cipher, key.data(), nullptr, 1, nullptr) != 1) {
    EVP_CIPHER_CTX_free(ctx);
    return crypto_error(Err::CRYPTO, "cipher init");
  }
  return ctx;
}
}  // namespace

Result<Aead> Aead::create(AeadAlg alg, ByteView key) {
  if (key.size() != aead_key_size(alg)) return make_error(Err::INVALID_ARGUMENT, "AEAD key size");
  SNR_TRY_ASSIGN(EVP_CIPHER_CTX * ctx, new_context(alg, key));
  return Aead(alg, ctx, key);
}

Aead::Aead(AeadAlg alg, void* ctx, ByteView key) : alg_(alg), ctx_(ctx) {
  std::copy(key.begin(), key.end(), key_.begin());
}

Aead::Aead(Aead&& o) noexcept : alg_(o.alg_), ctx_(o.ctx_), key_(o.key_) {
  o.ctx_ = nullptr;
  secure_wipe(o.key_.data(), o.key_.size());
}

Aead& Aead::operator=(Aead&& o) noexcept {
  if (this != &o) {
    EVP_CIPHER_CTX_free(static_cast<EVP_CIPHER_CTX*>(ctx_));
    alg_ = o.alg_;
    ctx_ = o.ctx_;
    key_ = o.key_;
    o.ctx_ = nullptr;
    secure_wipe(o.key_.data(), o.key_.size());
  }
  return *this;
}

// EVP_CIPHER_CTX_free cleanses the key schedule.
Aead::~Aead() {
  EVP_CIPHER_CTX_free(static_cast<EVP_CIPHER_CTX*>(ctx_));
  secure_wipe(key_.data(), key_.size());
}

void Aead::release() {
  EVP_CIPHER_CTX_free(static_cast<EVP_CIPHER_CTX*>(ctx_));
  ctx_ = nullptr;
}

Result<void*> Aead::context() {
  if (ctx_ == nullptr) {
    SNR_TRY_ASSIGN(EVP_CIPHER_CTX * ctx,
                   new_context(alg_, ByteView(key_.data(), aead_key_size(alg_))));
    ctx_ = ctx;
  }
  return ctx_;
}

Status Aead::set_key(ByteView key) {
  if (key.size() != aead_key_size(alg_)) return make_error(Err::INVALID_ARGUMENT, "AEAD key size");
  std::copy(key.begin(), key.end(), key_.begin());
  // A released context is rebuilt from the new key when next used.
  if (ctx_ == nullptr) return {};
  // A null cipher keeps the context's cipher; only the key schedule is replaced.
  if (EVP_CipherInit_ex2(static_cast<EVP_CIPHER_CTX*>(ctx_), nullptr, key.data(), nullptr, -1,
                         nullptr) != 1) {
    return crypto_error(Err::CRYPTO, "cipher re-key");
  }
  return {};
}

Status Aead::seal(ByteView nonce, ByteView aad, ByteView in, MutByteView out, MutByteView tag) {
  if (nonce.size() != kAeadNonceSize || tag.size() != kAeadTagSize || !fits_int(aad.size()) ||
      !fits_int(out.size()) || in.size() > out.size()) {
    return make_error(Err::INVALID_ARGUMENT, "AEAD seal sizes");
  }
  SNR_TRY_ASSIGN(void* native, context());
  auto* ctx = static_cast<EVP_CIPHER_CTX*>(native);
  int outl = 0;
  if (EVP_CipherInit_ex2(ctx, nullptr, nullptr, nonce.data(), 1, nullptr) != 1) {
    return crypto_error(Err::CRYPTO, "AEAD nonce");
  }
  if (!aad.empty() &&
      EVP_CipherUpdate(ctx, nullptr, &outl, aad.data(), static_cast<int>(aad.size())) != 1) {
    return crypto_error(Err::CRYPTO, "AEAD aad");
  }
  if (!in.empty() &&
      EVP_CipherUpdate(ctx, out.data(), &outl, in.data(), static_cast<int>(in.size())) != 1) {
    return crypto_error(Err::CRYPTO, "AEAD encrypt");
  }
  const MutByteView rest = out.subspan(in.size());
  if (!rest.empty() &&
      EVP_CipherUpdate(ctx, rest.data(), &outl, rest.data(), static_cast<int>(rest.size())) != 1) {
    return crypto_error(Err::CRYPTO, "AEAD encrypt");
  }
  // AEAD modes are streaming: Final emits nothing but completes the tag.
  uint8_t unused[16];
  if (EVP_CipherFinal_ex(ctx, unused, &outl) != 1) return crypto_error(Err::CRYPTO, "AEAD final");
  OSSL_PARAM params[2] = {
      OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag.data(), tag.size()),
      OSSL_PARAM_construct_end()};
  if (EVP_CIPHER_CTX_get_params(ctx, params) != 1) return crypto_error(Err::CRYPTO, "AEAD tag");
  return {};
}

Status Aead::open(ByteView nonce, ByteView aad, ByteView in, MutByteView out, MutByteView tail,
                  ByteView tag) {
  if (nonce.size() != kAeadNonceSize || !fits_int(aad.size()) || !fits_int(in.size()) ||
      in.size() != out.size() + tail.size()) {
    return make_error(Err::INVALID_ARGUMENT, "AEAD open sizes");
  }
  if (tag.size() != kAeadTagSize) return make_error(Err::DECRYPT, "AEAD tag size");
  SNR_TRY_ASSIGN(void* native, context());
  auto* ctx = static_cast<EVP_CIPHER_CTX*>(native);
  int outl = 0;
  if (EVP_CipherInit_ex2(ctx, nullptr, nullptr, nonce.data(), 0, nullptr) != 1) {
    return crypto_error(Err::CRYPTO, "AEAD nonce");
  }
  if (!aad.empty() &&
      EVP_CipherUpdate(ctx, nullptr, &outl, aad.data(), static_cast<int>(aad.size())) != 1) {
    return crypto_error(Err::CRYPTO, "AEAD aad");
  }
  const auto wipe = [&] {
    secure_wipe(out.data(), out.size());
    secure_wipe(tail.data(), tail.size());
  };
  if ((!out.empty() &&
       EVP_CipherUpdate(ctx, out.data(), &outl, in.data(), static_cast<int>(out.size())) != 1) ||
      (!tail.empty() && EVP_CipherUpdate(ctx, tail.data(), &outl, in.data() + out.size(),
                                         static_cast<int>(tail.size())) != 1)) {
    wipe();
    return crypto_error(Err::CRYPTO, "AEAD decrypt");
  }
  // The provider copies the tag; the const_cast only satisfies OSSL_PARAM's signature.
  OSSL_PARAM params[2] = {
      OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG,
                                        const_cast<uint8_t*>(tag.data()), tag.size()),
      OSSL_PARAM_construct_end()};
  if (EVP_CIPHER_CTX_set_params(ctx, params) != 1) return crypto_error(Err::CRYPTO, "AEAD tag");
  uint8_t unused[16];
  if (EVP_CipherFinal_ex(ctx, unused, &outl) != 1) {
    // Never hand back unauthenticated plaintext.
    wipe();
    return crypto_error(Err::DECRYPT, "AEAD tag mismatch");
  }
  return {};
}

}  // namespace snr::crypto
