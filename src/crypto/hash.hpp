// Hashes, HMAC and HKDF (RFC 5869) over libcrypto. EVP objects are fetched once per process.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "snr/error.hpp"
#include "util/bytes.hpp"

namespace snr::crypto {

enum class HashAlg : uint8_t { SHA256, SHA384, SHA512, SHA224, SHA1, MD5 };

size_t hash_size(HashAlg alg);
inline constexpr size_t kMaxHashSize = 64;

// A digest value: up to 64 bytes, inline (no allocation); wiped on destruction.
struct Digest {
  std::array<uint8_t, kMaxHashSize> bytes{};
  size_t len = 0;
  ByteView view() const { return ByteView(bytes.data(), len); }
  Digest() = default;
  Digest(const Digest&) = default;
  Digest& operator=(const Digest&) = default;
  ~Digest() { secure_wipe(bytes.data(), bytes.size()); }
};

// Incremental hash. Copying forks the running state (used for transcript snapshots).
class Hash {
 public:
  static Result<Hash> create(HashAlg alg);
  Hash(const Hash& o);
  Hash& operator=(const Hash& o);
  Hash(Hash&& o) noexcept;
  Hash& operator=(Hash&& o) noexcept;
  ~Hash();

  HashAlg alg() const { return alg_; }
  Status update(ByteView data);
  // The digest of everything so far; the hash stays usable.
  Result<Digest> peek() const;

 private:
  Hash(HashAlg alg, void* ctx) : alg_(alg), ctx_(ctx) {}
  HashAlg alg_;
  void* ctx_;  // EVP_MD_CTX
};

Result<Digest> hash_once(HashAlg alg, ByteView data);
Result<Digest> hmac(HashAlg alg, ByteView key, ByteView data);

// HKDF-Extract(salt, IKM) = HMAC(salt, IKM); an empty salt means HashLen zeros.
Result<Digest> hkdf_extract(HashAlg alg, ByteView salt, ByteView ikm);
// HKDF-Expand(PRK, info, L) into out (L = out.size(), at most 255 * HashLen).
Status hkdf_expand(HashAlg alg, ByteView prk, ByteView info, MutByteView out);

}  // namespace snr::crypto
