// snr::Config: shared, immutable connection settings, built with Config::Builder.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "snr/callbacks.hpp"
#include "snr/error.hpp"
#include "snr/security.hpp"

namespace snr {

namespace detail {
struct ConfigData;
}

class Config {
 public:
  class Builder;

  // The default config: policy "default", system trust store, x509 verification on.
  static Result<Config> create();
  static Builder builder();

  const detail::ConfigData& data() const { return *data_; }
  bool operator==(const Config& o) const { return data_ == o.data_; }

  explicit Config(std::shared_ptr<const detail::ConfigData> d) : data_(std::move(d)) {}

 private:
  std::shared_ptr<const detail::ConfigData> data_;
};

class Config::Builder {
 public:
  // Starts minimal: policy "default", empty trust store (system certs are added by build()
  // unless with_system_certs(false)), verification on, max chain depth 7.
  Builder();
  Builder(Builder&&) noexcept;
  Builder& operator=(Builder&&) noexcept;
  ~Builder();

  Status set_security_policy(const Policy& policy);
  // The certificate chain (PEM, leaf first) and its private key (PEM) a server presents.
  Status load_pem(std::string_view cert_chain_pem, std::string_view private_key_pem);
  Status trust_pem(std::string_view pem);
  // A CA file and/or a hashed CA directory (either may be empty).
  Status trust_location(std::string_view ca_file, std::string_view ca_dir);
  Status with_system_certs(bool enabled);
  Status wipe_trust_store();
  Status set_verify_host_callback(VerifyHostNameCallback cb);
  // Accept any peer certificate. Only for testing.
  Status disable_x509_verification();
  Status set_max_cert_chain_depth(uint16_t depth);
  // ALPN (RFC 7301): protocols in preference order (the server picks by its own order).
  // Each 1-255 bytes.
  Status set_application_protocol_preference(std::span<const std::string_view> protocols);
  Status set_application_protocol_preference(std::initializer_list<std::string_view> protocols) {
    return set_application_protocol_preference(
        std::span<const std::string_view>(protocols.begin(), protocols.size()));
  }
  Status append_application_protocol_preference(std::string_view protocol);
  // PEM DH parameters ("BEGIN DH PARAMETERS", p of at least 2048 bits) for the DHE suites.
  Status add_dhparams(std::string_view pem);
  Status set_key_log_callback(KeyLogCallback cb);
  Status set_wall_clock(WallClock clock);

  Result<Config> build();

 private:
  std::shared_ptr<detail::ConfigData> data_;
  bool built_ = false;
};

}  // namespace snr
