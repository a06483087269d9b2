// AEAD record ciphers over libcrypto: one EVP_CIPHER_CTX per direction, re-keyed in place.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "snr/error.hpp"
#include "util/bytes.hpp"

namespace snr::crypto {

enum class AeadAlg : uint8_t { AES_128_GCM, AES_256_GCM, CHACHA20_POLY1305 };

size_t aead_key_size(AeadAlg alg);
inline constexpr size_t kAeadNonceSize = 12;
inline constexpr size_t kAeadTagSize = 16;

class Aead {
 public:
  static Result<Aead> create(AeadAlg alg, ByteView key);
  Aead(Aead&& o) noexcept;
  Aead& operator=(Aead&& o) noexcept;
  Aead(const Aead&) = delete;
  Aead& operator=(const Aead&) = delete;
  ~Aead();

  AeadAlg alg() const { return alg_; }
  // Frees the libcrypto context (about a kilobyte) of an idle connection; the next seal or
  // open builds it again from the kept key.
  void release();
  // Replaces the key, keeping the context (TLS 1.3 KeyUpdate).
  Status set_key(ByteView key);
  // Encrypts `data` in place and writes the 16-byte tag.
  Status seal(ByteView nonce, ByteView aad, MutByteView data, MutByteView tag) {
    return seal(nonce, aad, data, data, tag);
  }
  // Encrypts `in` into the front of `out` (the same bytes, or bytes that do not overlap);
  // whatever `out` holds past in.size() is plaintext too and is encrypted in place (a TLS
  // 1.3 record's inner type). The sealed record never needs the plaintext copied first.
  Status seal(ByteView nonce, ByteView aad, ByteView in, MutByteView out, MutByteView tag);
  // Decrypts `data` in place; Err::DECRYPT when the tag does not verify.
  Status open(ByteView nonce, ByteView aad, MutByteView data, ByteView tag) {
    return open(nonce, aad, data, data, {}, tag);
  }
  // Decrypts `in` into `out` then `tail` (in.size() == out.size() + tail.size(); each the
  // same bytes as its part of `in`, or bytes that do not overlap it): a TLS 1.3 record's
  // content can go to the application's buffer and its inner type elsewhere. On a tag
  // mismatch `out` and `tail` are wiped.
  Status open(ByteView nonce, ByteView aad, ByteView in, MutByteView out, MutByteView tail,
              ByteView tag);

 private:
  Aead(AeadAlg alg, void* ctx, ByteView key);
  // The context, built again after release().
  Result<void*> context();
  AeadAlg alg_;
  void* ctx_;                      // EVP_CIPHER_CTX, null after release()
  std::array<uint8_t, 32> key_{};  // wiped on destruction
};

}  // namespace snr::crypto
