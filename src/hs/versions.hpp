// Protocol versions: the range a policy allows, wire values, and which suites fit a version.
#pragma once

#include <cstdint>

#include "policy/policy_data.hpp"
#include "policy/registry.hpp"
#include "snr/enums.hpp"

namespace snr::hs {

// TLS 1.3 when the policy has a TLS 1.3 suite snr implements; else TLS 1.2.
Version max_version(const detail::PolicyData& policy);
// The policy's minimum, never below TLS 1.0 (snr does not speak SSLv3).
Version min_version(const detail::PolicyData& policy);

uint16_t wire_version(Version v);
// Version::Unknown for values that are not TLS 1.0-1.3.
Version from_wire(uint16_t v);

// Whether the policy has any suite snr negotiates (policies of only 3DES/RC4 suites do not).
bool has_offered_suite(const detail::PolicyData& policy);

// A suite snr can negotiate at `v`.
bool suite_fits(const policy::CipherSuite& suite, Version v);

// RFC 8446 4.1.3: the last 8 bytes of ServerHello.random when a TLS 1.3 server negotiates
// TLS 1.2 (…01) or TLS 1.1 and below (…00).
inline constexpr uint8_t kDowngradeTls12[8] = {0x44, 0x4F, 0x57, 0x4E, 0x47, 0x52, 0x44, 0x01};
inline constexpr uint8_t kDowngradeTls11[8] = {0x44, 0x4F, 0x57, 0x4E, 0x47, 0x52, 0x44, 0x00};

}  // namespace snr::hs
