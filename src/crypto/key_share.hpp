// (EC)DHE key shares for the TLS named groups x25519, secp256r1, secp384r1, secp521r1.
#pragma once

#include <cstdint>

#include "snr/error.hpp"
#include "util/bytes.hpp"

namespace snr::crypto {

namespace group {
inline constexpr uint16_t secp256r1 = 0x0017;
inline constexpr uint16_t secp384r1 = 0x0018;
inline constexpr uint16_t secp521r1 = 0x0019;
inline constexpr uint16_t x25519 = 0x001d;
}  // namespace group

bool key_share_supported(uint16_t group);

// An ephemeral private key and its public share in TLS encoding (X25519: 32 raw bytes;
// NIST curves: the uncompressed point, RFC 8446 4.2.8.2).
class KeyShare {
 public:
  static Result<KeyShare> generate(uint16_t group);
  // From a known private key (raw X25519 scalar, or the big-endian NIST scalar): the
  // deterministic provider of the known-answer tests uses this.
  static Result<KeyShare> from_private(uint16_t group, ByteView private_key);
  KeyShare(KeyShare&& o) noexcept;
  KeyShare& operator=(KeyShare&& o) noexcept;
  KeyShare(const KeyShare&) = delete;
  KeyShare& operator=(const KeyShare&) = delete;
  ~KeyShare();

  uint16_t group() const { return group_; }
  ByteView public_key() const { return public_; }
  // The shared secret with a peer's share. A malformed or invalid peer share (wrong length,
  // not on the curve, all-zero X25519 result) is Err::BAD_KEY_SHARE.
  Result<SecureBytes> derive(ByteView peer_public) const;

 private:
  KeyShare(uint16_t group, void* pkey, Bytes pub)
      : group_(group), pkey_(pkey), public_(std::move(pub)) {}
  uint16_t group_;
  void* pkey_;  // EVP_PKEY
  Bytes public_;
};

}  // namespace snr::crypto
