// Hashes, HMAC and HKDF (RFC 5869) over libcrypto's digest functions, without allocation.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "snr/error.hpp"
#include "util/bytes.hpp"

namespace snr::crypto {

// MD5_SHA1 is MD5(m) || SHA1(m) (36 bytes): the TLS 1.0/1.1 handshake hash and RSA
// signature digest. It has no HMAC (the TLS 1.0 PRF uses HMAC-MD5 and HMAC-SHA1 apart).
enum class HashAlg : uint8_t { SHA256, SHA384, SHA512, SHA224, SHA1, MD5, MD5_SHA1 };

size_t hash_size(HashAlg alg);
inline constexpr size_t kMaxHashSize = 64;
// The input block of the compression function (64 or 128 bytes).
size_t hash_block_size(HashAlg alg);
// How many compression-function calls hashing an n-byte message takes, the final padding
// blocks included. Computed without division or branches on n, so a secret n does not leak.
size_t hash_blocks(HashAlg alg, size_t n);

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

namespace detail {
// A running digest held in place: libcrypto's low-level state for the hash (an MD5 and a
// SHA-1 state side by side for MD5_SHA1). The handshake forks, finalizes and re-keys
// hashes dozens of times; with the state inline each of those is a copy, where EVP contexts
// cost a heap allocation and a provider round trip every time.
struct MdState {
  alignas(16) std::array<uint8_t, 224> raw{};
};
}  // namespace detail

// Incremental hash. Copying forks the running state (used for transcript snapshots).
class Hash {
 public:
  static Result<Hash> create(HashAlg alg);
  Hash(const Hash& o) = default;
  Hash& operator=(const Hash& o) = default;
  ~Hash();

  HashAlg alg() const { return alg_; }
  Status update(ByteView data);
  // The digest of everything so far; the hash stays usable.
  Result<Digest> peek() const;
  // Back to the empty message.
  Status reset();

 private:
  explicit Hash(HashAlg alg) : alg_(alg) {}
  HashAlg alg_;
  detail::MdState state_;
};

// HMAC with one key over many messages (record MACs, the TLS 1.2 PRF, HKDF): the key's
// inner and outer pads are hashed once, and each finish() rewinds to the keyed state.
class Hmac {
 public:
  static Result<Hmac> create(HashAlg alg, ByteView key);
  // A moved-from Hmac is wiped and refuses further use (INVALID_STATE).
  Hmac(Hmac&& o) noexcept;
  Hmac& operator=(Hmac&& o) noexcept;
  Hmac(const Hmac&) = delete;
  Hmac& operator=(const Hmac&) = delete;
  ~Hmac();

  HashAlg alg() const { return alg_; }
  Status update(ByteView data);
  // The MAC of everything since creation or the last finish(); then starts a new message.
  Result<Digest> finish();
  // The MAC of `prefix || data.first(len)` with `len` secret, min_len <= len <= data.size():
  // the same compression-function calls and memory accesses whatever `len` is (the TLS CBC
  // record MAC, Lucky13). Only the prefix's and data's sizes and min_len may be public.
  // SHA-1, SHA-256 and SHA-384 (the CBC suites' MACs); the running message must be empty
  // (right after create() or finish()), and is again afterwards.
  Result<Digest> finish_secret_length(ByteView prefix, ByteView data, size_t len, size_t min_len);

 private:
  explicit Hmac(HashAlg alg) : alg_(alg) {}
  void wipe();
  HashAlg alg_;
  bool live_ = true;
  detail::MdState inner_pad_, outer_pad_, running_;
};

Result<Digest> hash_once(HashAlg alg, ByteView data);
Result<Digest> hmac(HashAlg alg, ByteView key, ByteView data);

// HKDF-Extract(salt, IKM) = HMAC(salt, IKM); an empty salt means HashLen zeros.
Result<Digest> hkdf_extract(HashAlg alg, ByteView salt, ByteView ikm);
// HKDF-Expand(PRK, info, L) into out (L = out.size(), at most 255 * HashLen).
Status hkdf_expand(HashAlg alg, ByteView prk, ByteView info, MutByteView out);
// The same with info given as consecutive pieces (no buffer to assemble it in).
Status hkdf_expand(HashAlg alg, ByteView prk, std::span<const ByteView> info, MutByteView out);
// The same with the PRK's HMAC key already set up in `prk` (one secret expanded several
// times pays for the key's two padded blocks once); `prk` is left ready for the next.
Status hkdf_expand(Hmac& prk, std::span<const ByteView> info, MutByteView out);

}  // namespace snr::crypto
