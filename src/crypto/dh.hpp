// Finite-field Diffie-Hellman for the TLS 1.2 DHE key exchange (RFC 5246 7.4.3, 8.1.2).
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <utility>

#include "snr/error.hpp"
#include "util/bytes.hpp"

namespace snr::crypto {

// The smallest prime we use or accept, from either side: 2048 bits (as s2n requires).
inline constexpr size_t kMinDhBits = 2048;
// The largest prime we accept from a server: beyond it a key exchange costs more than any
// real group is worth, so a bigger p is treated as an attempt to burn our CPU.
inline constexpr size_t kMaxDhBits = 8192;

// A server's configured group (p, g), shared by every connection of a Config; immutable.
class DhParams {
 public:
  // PEM "-----BEGIN DH PARAMETERS-----" (PKCS#3; X9.42 too). Err::INVALID_ARGUMENT when it
  // cannot be decoded, when p is smaller than kMinDhBits, or when libcrypto's parameter check
  // fails (p even, g out of range, ...).
  static Result<std::shared_ptr<const DhParams>> from_pem(std::string_view pem);
  ~DhParams();
  DhParams(const DhParams&) = delete;
  DhParams& operator=(const DhParams&) = delete;

  // Big-endian, no leading zeros: dh_p and dh_g of ServerDHParams.
  ByteView p() const { return p_; }
  ByteView g() const { return g_; }
  size_t bits() const { return bits_; }

 private:
  friend class DhKey;
  DhParams(void* pkey, Bytes p, Bytes g, size_t bits)
      : pkey_(pkey), p_(std::move(p)), g_(std::move(g)), bits_(bits) {}
  void* pkey_;  // EVP_PKEY holding the domain parameters only
  Bytes p_, g_;
  size_t bits_;
};

// An ephemeral DH key pair.
class DhKey {
 public:
  // Server side: a key in the configured group.
  static Result<DhKey> generate(const DhParams& params);
  // Client side: a key in the group the server sent in its ServerKeyExchange. The group is
  // Err::ILLEGAL_PARAMETER (illegal_parameter alert) when p is even or outside
  // [kMinDhBits, kMaxDhBits] bits, or g is not in (1, p-1). p is not tested for primality:
  // that costs more than the handshake and the server signed these params anyway.
  static Result<DhKey> generate(ByteView p, ByteView g);

  DhKey(DhKey&& o) noexcept;
  DhKey& operator=(DhKey&& o) noexcept;
  DhKey(const DhKey&) = delete;
  DhKey& operator=(const DhKey&) = delete;
  ~DhKey();

  // dh_Ys / dh_Yc: big-endian, left-padded with zeros to the length of p (RFC 7919 3).
  ByteView public_key() const { return public_; }
  // The TLS premaster secret g^xy mod p with leading zero bytes stripped (RFC 5246 8.1.2).
  // The peer's value is Err::BAD_KEY_SHARE unless 1 < y < p-1; it may arrive with or without
  // leading zeros, but never longer than p.
  Result<SecureBytes> derive(ByteView peer_public) const;

 private:
  DhKey(void* pkey, Bytes pub) : pkey_(pkey), public_(std::move(pub)) {}
  void* pkey_;  // EVP_PKEY
  Bytes public_;
};

}  // namespace snr::crypto
