// Named security policies. Contents follow s2n-tls's published policies
// (../shared/reference/s2n-policy-snapshots); snr adds ed25519 (0x0807) to the handshake
// signature schemes of the policies that allow TLS 1.3, since it supports Ed25519 certificates.
#include <array>

#include "policy/policy_data.hpp"
#include "snr/security.hpp"
#include "util/error_code.hpp"

namespace snr {
namespace detail {
namespace {

constexpr uint16_t kTls13Suites[] = {0x1301, 0x1302, 0x1303};

// 20251014 ("default")
constexpr uint16_t k20251014Suites[] = {0x1301, 0x1302, 0x1303, 0xC02B, 0xC02C, 0xC02F, 0xC030};
// 20240503 ("default_tls13")
constexpr uint16_t k20240503Suites[] = {0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030,
                                        0xCCA9, 0xCCA8, 0xC024, 0xC028, 0xC023, 0xC027};

// s2n's "S1" list, plus ed25519.
constexpr uint16_t kSchemesS1[] = {0x0403, 0x0503, 0x0603, 0x0809, 0x080a, 0x080b, 0x0804,
                                   0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0807};
// test_all_tls13: everything snr implements.
constexpr uint16_t kSchemesAll[] = {0x0201, 0x0301, 0x0401, 0x0501, 0x0601, 0x0203,
                                    0x0303, 0x0403, 0x0503, 0x0603, 0x0804, 0x0805,
                                    0x0806, 0x0809, 0x080a, 0x080b, 0x0807};
// "C1": chain signatures S1 plus the legacy sha224 ones.
constexpr uint16_t kCertSchemesC1[] = {0x0809, 0x080a, 0x080b, 0x0804, 0x0805,
                                       0x0806, 0x0401, 0x0501, 0x0601, 0x0301,
                                       0x0403, 0x0503, 0x0603, 0x0303, 0x0807};

constexpr uint16_t kCurvesP256First[] = {0x0017, 0x001d, 0x0018, 0x0019};
constexpr uint16_t kCurvesX25519First[] = {0x001d, 0x0017, 0x0018, 0x0019};

constexpr PolicyData kPolicies[] = {
    {"20251014", Version::TLS12, k20251014Suites, kSchemesS1, kCurvesP256First, {}},
    {"20240503", Version::TLS12, k20240503Suites, kSchemesS1, kCurvesP256First, kCertSchemesC1},
    {"test_all_tls13", Version::SSLV3, kTls13Suites, kSchemesAll, kCurvesX25519First, {}},
};

struct Alias {
  std::string_view name;
  std::string_view target;
};
constexpr Alias kAliases[] = {
    {"default", "20251014"},
    {"default_tls13", "20240503"},
};

}  // namespace

const PolicyData* find_policy(std::string_view name) {
  for (const Alias& a : kAliases)
    if (a.name == name) name = a.target;
  for (const PolicyData& p : kPolicies)
    if (p.name == name) return &p;
  return nullptr;
}

}  // namespace detail

const Policy Policy::DEFAULT{&detail::kPolicies[0]};
const Policy Policy::DEFAULT_TLS13{&detail::kPolicies[1]};

Result<Policy> Policy::from_version(std::string_view name) {
  const detail::PolicyData* p = detail::find_policy(name);
  if (p == nullptr) return make_error(Err::INVALID_SECURITY_POLICY, std::string(name));
  return Policy(p);
}

std::string_view Policy::name() const { return data_->name; }

}  // namespace snr
