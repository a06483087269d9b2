#include "crypto/cbc.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <array>
#include <climits>

#include "crypto/fetch.hpp"
#include "util/error_code.hpp"

namespace snr::crypto {

namespace {

const EVP_CIPHER* fetched_cipher(CbcAlg alg) {
  switch (alg) {
    case CbcAlg::AES_128_CBC:
      return fetched_cipher(CipherId::AES_128_CBC);
    case CbcAlg::AES_256_CBC:
      return fetched_cipher(CipherId::AES_256_CBC);
  }
  return nullptr;
}

Error crypto_error(const char* what) {
  ERR_clear_error();
  return make_error(Err::CRYPTO, what);
}

// Keys the context for one direction; TLS pads itself, so the EVP padding is off.
Status key_ctx(EVP_CIPHER_CTX* ctx, const EVP_CIPHER* cipher, ByteView key, bool encrypt) {
  if (EVP_CipherInit_ex2(ctx, cipher, key.data(), nullptr, encrypt ? 1 : 0, nullptr) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx, 0) != 1) {
    return crypto_error("CBC cipher init");
  }
  return {};
}

}  // namespace

size_t cbc_key_size(CbcAlg alg) {
  switch (alg) {
    case CbcAlg::AES_128_CBC:
      return 16;
    case CbcAlg::AES_256_CBC:
      return 32;
  }
  return 0;
}

Result<Cbc> Cbc::create(CbcAlg alg, ByteView key, bool encrypt) {
  const EVP_CIPHER* cipher = fetched_cipher(alg);
  if (cipher == nullptr) return make_error(Err::CRYPTO, "cipher unavailable");
  if (key.size() != cbc_key_size(alg)) return make_error(Err::INVALID_ARGUMENT, "CBC key size");
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  if (ctx == nullptr) return make_error(Err::ALLOC, "EVP_CIPHER_CTX_new");
  Cbc c(alg, ctx, key, encrypt);
  SNR_TRY(key_ctx(ctx, cipher, key, encrypt));
  return c;
}

Cbc::Cbc(Cbc&& o) noexcept
    : alg_(o.alg_), ctx_(o.ctx_), key_(std::move(o.key_)), encrypt_(o.encrypt_) {
  o.ctx_ = nullptr;
}

Cbc& Cbc::operator=(Cbc&& o) noexcept {
  if (this != &o) {
    EVP_CIPHER_CTX_free(static_cast<EVP_CIPHER_CTX*>(ctx_));
    alg_ = o.alg_;
    ctx_ = o.ctx_;
    key_ = std::move(o.key_);
    encrypt_ = o.encrypt_;
    o.ctx_ = nullptr;
  }
  return *this;
}

// EVP_CIPHER_CTX_free cleanses the key schedule.
Cbc::~Cbc() { EVP_CIPHER_CTX_free(static_cast<EVP_CIPHER_CTX*>(ctx_)); }

Status Cbc::crypt(ByteView iv, MutByteView data, bool encrypt) {
  if (ctx_ == nullptr) return make_error(Err::INVALID_STATE, "CBC has no context");
  if (iv.size() != kCbcBlockSize || data.size() % kCbcBlockSize != 0 ||
      data.size() > static_cast<size_t>(INT_MAX)) {
    return make_error(Err::INVALID_ARGUMENT, "CBC sizes");
  }
  auto* ctx = static_cast<EVP_CIPHER_CTX*>(ctx_);
  if (encrypt != encrypt_) {
    // AES decrypts with a different key schedule: set the key up for the new direction.
    SNR_TRY(key_ctx(ctx, fetched_cipher(alg_), key_.view(), encrypt));
    encrypt_ = encrypt;
  }
  // Only the IV changes: the key schedule is kept.
  if (EVP_CipherInit_ex2(ctx, nullptr, nullptr, iv.data(), encrypt ? 1 : 0, nullptr) != 1) {
    return crypto_error("CBC IV");
  }
  if (data.empty()) return {};
  int outl = 0;
  if (EVP_CipherUpdate(ctx, data.data(), &outl, data.data(), static_cast<int>(data.size())) != 1) {
    return crypto_error("CBC update");
  }
  // Without padding every whole block comes out at once; anything held back is a bug.
  if (static_cast<size_t>(outl) != data.size()) {
    return make_error(Err::INTERNAL, "CBC held back a block");
  }
  return {};
}

}  // namespace snr::crypto
