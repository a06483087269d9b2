// snr::Policy: a named security policy (versions, cipher suites, groups, signature schemes),
// with the names and contents of s2n-tls's policies.
#pragma once

#include <string_view>

#include "snr/error.hpp"

namespace snr {

namespace detail {
struct PolicyData;
}

class Policy {
 public:
  // Looks a policy up by s2n's name ("default", "default_tls13", "20240503", ...).
  // Unknown names give a Usage error (S2N_ERR_INVALID_SECURITY_POLICY).
  static Result<Policy> from_version(std::string_view name);

  static const Policy DEFAULT;
  static const Policy DEFAULT_TLS13;

  std::string_view name() const;
  const detail::PolicyData& data() const { return *data_; }
  bool operator==(const Policy& o) const { return data_ == o.data_; }

  constexpr explicit Policy(const detail::PolicyData* data) : data_(data) {}

 private:
  const detail::PolicyData* data_;
};

}  // namespace snr
