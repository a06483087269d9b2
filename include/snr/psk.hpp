// snr::Psk: an external TLS 1.3 pre-shared key (RFC 8446 2.2), built with Psk::Builder and
// added to a connection with Connection::append_psk (copied; order = preference).
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "snr/enums.hpp"
#include "snr/error.hpp"

namespace snr {

namespace detail {
struct PskData;
}

class Psk {
 public:
  class Builder;
  static Builder builder();

  std::span<const uint8_t> identity() const;
  PskHmac hmac() const;
  const detail::PskData& data() const { return *data_; }

  explicit Psk(std::shared_ptr<const detail::PskData> d) : data_(std::move(d)) {}

 private:
  std::shared_ptr<const detail::PskData> data_;
};

// All three settings are required. The secret is wiped when the last copy of the Psk goes.
class Psk::Builder {
 public:
  Builder();
  Builder(Builder&&) noexcept;
  Builder& operator=(Builder&&) noexcept;
  ~Builder();

  // 1 to 65535 bytes.
  Status set_identity(std::span<const uint8_t> identity);
  // At least 16 bytes (RFC 9257 2.1 advises high-entropy keys).
  Status set_secret(std::span<const uint8_t> secret);
  Status set_hmac(PskHmac hmac);
  Result<Psk> build();

 private:
  std::shared_ptr<detail::PskData> data_;
  bool has_hmac_ = false;
};

}  // namespace snr
