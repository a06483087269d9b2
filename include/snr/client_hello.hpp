// snr::ClientHello: a parsed ClientHello message (the server's view of what a client offered,
// or one parsed from bytes), and the JA3/JA4 fingerprints computed from it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "snr/enums.hpp"
#include "snr/error.hpp"

namespace snr {

class Fingerprint;

// Owns a copy of the message, so it outlives the buffer it was parsed from and may be copied.
// Only the framing is checked, plus the contents of the two extensions it interprets
// (server_name, supported_groups); other extensions are kept as raw bytes. An SSLv2-format
// hello (parse_sslv2) is kept as the TLS ClientHello it stands for.
class ClientHello {
 public:
  struct Extension {
    uint16_t type;
    std::span<const uint8_t> data;
  };

  // `message` is the whole handshake message: the 4-byte header (type 1, u24 length) and a
  // body of exactly that length. Malformed input is an Err::DECODE error (a repeated
  // extension Err::DUPLICATE_EXTENSION), never a crash.
  static Result<ClientHello> parse(std::span<const uint8_t> message);
  // An SSLv2-format CLIENT-HELLO (RFC 5246 E.2), `message` being what follows its 2-byte
  // record header. Everything reads as the equivalent ClientHello: the challenge as the
  // random (zero bytes before it), the cipher specs with a zero first byte as the suites, no
  // extensions; raw_message() is that ClientHello's body. Errors as
  // msg::parse_sslv2_client_hello (DECODE, PROTOCOL_VERSION_UNSUPPORTED).
  static Result<ClientHello> parse_sslv2(std::span<const uint8_t> message);
  bool is_sslv2() const { return sslv2_; }

  // ClientHello.legacy_version as on the wire (0x0303 from TLS 1.3 clients).
  uint16_t legacy_version() const { return legacy_version_; }
  const std::array<uint8_t, 32>& random() const { return random_; }
  std::span<const uint8_t> session_id() const { return slice(session_id_); }
  // In the order the client listed them, GREASE values included.
  std::span<const uint16_t> cipher_suites() const {
    return std::span<const uint16_t>(numbers_).first(suite_count_);
  }
  std::span<const uint8_t> compression_methods() const { return slice(compression_methods_); }
  // Every extension in wire order, with its data (without the type and length).
  std::vector<Extension> extensions() const;
  std::optional<std::span<const uint8_t>> extension(uint16_t type) const;
  bool has_extension(uint16_t type) const { return extension(type).has_value(); }
  // The first host_name of the server_name extension; empty without one.
  std::string_view server_name() const {
    const std::span<const uint8_t> name = slice(server_name_);
    return std::string_view(reinterpret_cast<const char*>(name.data()), name.size());
  }
  // The supported_groups extension's list (GREASE included); empty without the extension.
  std::span<const uint16_t> supported_groups() const {
    return std::span<const uint16_t>(numbers_).subspan(suite_count_);
  }
  // The message body (no handshake header) with the 32 random bytes zeroed, as s2n's
  // raw_message: the random is unique per connection and would defeat comparisons.
  std::span<const uint8_t> raw_message() const { return message_; }

  // Shorthand for fingerprint::Builder(type).build(*this).
  Result<Fingerprint> fingerprint(FingerprintType type) const;

 private:
  struct Slice {
    uint32_t offset = 0;
    uint32_t len = 0;
  };
  ClientHello() = default;
  std::span<const uint8_t> slice(Slice s) const {
    return std::span<const uint8_t>(message_).subspan(s.offset, s.len);
  }

  // Calls `f(type, data)` for each extension in wire order until it returns true.
  template <class F>
  void find_extension(F&& f) const;

  // Slices index into message_, so the default copy stays valid. Extensions are read from
  // their (already checked) block when asked for: a hello costs three allocations in all.
  std::vector<uint8_t> message_;
  uint16_t legacy_version_ = 0;
  std::array<uint8_t, 32> random_{};
  Slice session_id_;
  Slice compression_methods_;
  Slice extension_block_;  // the extensions, without the block's length
  Slice server_name_;
  // The cipher suites, then the supported_groups list.
  std::vector<uint16_t> numbers_;
  size_t suite_count_ = 0;
  bool sslv2_ = false;
};

// parse_client_hello(bytes) as in s2n: the same as ClientHello::parse.
inline Result<ClientHello> parse_client_hello(std::span<const uint8_t> message) {
  return ClientHello::parse(message);
}

// A computed fingerprint. JA3: hash() is the MD5 of raw() in lowercase hex (32 characters).
// JA4: hash() is the 36-character "t13d1516h2_8daaf6152771_e5627efa2ab1" form; raw() is the
// JA4_r form (sorted lists, not hashed).
class Fingerprint {
 public:
  Fingerprint(FingerprintType type, std::string hash, std::string raw)
      : type_(type), hash_(std::move(hash)), raw_(std::move(raw)) {}

  FingerprintType type() const { return type_; }
  const std::string& hash() const { return hash_; }
  const std::string& raw() const { return raw_; }
  size_t hash_size() const { return hash_.size(); }
  size_t raw_size() const { return raw_.size(); }

 private:
  FingerprintType type_;
  std::string hash_;
  std::string raw_;
};

namespace fingerprint {

// Reusable: one builder may fingerprint any number of ClientHellos.
class Builder {
 public:
  explicit Builder(FingerprintType type) : type_(type) {}

  FingerprintType type() const { return type_; }
  // A limit on raw(): build() fails with Err::BUFFER_TOO_SMALL for a longer raw string, as
  // s2n's fixed-size output does. 0 (the default) means no limit.
  Builder& set_raw_size(size_t max) {
    raw_size_ = max;
    return *this;
  }
  // The length of every hash() this builder produces (32 for JA3, 36 for JA4).
  size_t hash_size() const;
  // Fails with Err::DECODE when an extension the fingerprint reads (supported_versions,
  // signature_algorithms, ALPN, ec_point_formats) is malformed.
  Result<Fingerprint> build(const ClientHello& client_hello) const;

 private:
  FingerprintType type_;
  size_t raw_size_ = 0;
};

}  // namespace fingerprint

}  // namespace snr
