// The contents of a named security policy.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "snr/enums.hpp"

namespace snr::detail {

struct PolicyData {
  std::string_view name;
  Version min_version;
  std::span<const uint16_t> cipher_suites;     // IANA ids, preference order
  std::span<const uint16_t> sig_schemes;       // handshake signature schemes, preference order
  std::span<const uint16_t> curves;            // key-exchange groups, preference order
  std::span<const uint16_t> cert_sig_schemes;  // allowed in certificate chains (empty: any)
};

// nullptr when the name is unknown.
const PolicyData* find_policy(std::string_view name);

}  // namespace snr::detail
