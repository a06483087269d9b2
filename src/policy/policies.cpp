// Named security policies: s2n-tls's published contents (tests/data/policy-snapshots, one file
// per name), turned into constexpr tables by scripts/gen-policies.py (policies.inc).
//
// snr's one change to those contents: it supports Ed25519 certificates, so it appends ed25519
// (0x0807) to the handshake signature schemes of a policy, and to its certificate signature
// schemes when that list is not empty (empty already allows any), exactly when ALL of these hold:
//   1. the policy lists a TLS 1.3 cipher suite (ed25519 is only wired up for TLS 1.3);
//   2. its FIPS 140-3 rule is "no" and its name does not contain "fips" (any case): Ed25519 is
//      outside the approved set the FIPS rule checks, and a policy sold as FIPS stays as published;
//   3. its certificate preferences do not apply locally (rfc9151, cnsa_1, cnsa_2, ...: those pin
//      the local certificate's signature and key types);
//   4. it names no strongly preferred groups (the CNSA 2.0 transition family, 20251113 ...);
//   5. its handshake schemes include ecdsa_sha256: Ed25519 (about 128-bit security) then adds no
//      weaker option; SHA-384-only policies such as 20250211 stay as published.
// ed25519 goes last, so it never displaces one of s2n's choices. The snapshot test renders every
// policy minus exactly these lines and checks the rule independently.
#include <algorithm>

#include "policy/policy_data.hpp"
#include "snr/security.hpp"
#include "util/error_code.hpp"

namespace snr {
namespace detail {
namespace {

#include "policy/policies.inc"

constexpr bool name_less(const PolicyData& a, const PolicyData& b) { return a.name < b.name; }
constexpr bool names_strictly_sorted() {
  return std::adjacent_find(std::begin(kPolicies), std::end(kPolicies),
                            [](const PolicyData& a, const PolicyData& b) {
                              return !name_less(a, b);
                            }) == std::end(kPolicies);
}
static_assert(names_strictly_sorted(), "kPolicies must be sorted by name, without duplicates");

constexpr const PolicyData* lookup(std::string_view name) {
  for (const PolicyAlias& a : kAliases)
    if (a.name == name) name = a.target;
  const PolicyData* it =
      std::lower_bound(std::begin(kPolicies), std::end(kPolicies), name,
                       [](const PolicyData& p, std::string_view n) { return p.name < n; });
  return it != std::end(kPolicies) && it->name == name ? it : nullptr;
}

constexpr bool aliases_well_formed() {
  for (const PolicyAlias& a : kAliases) {
    // An alias must not shadow a numbered policy, and must point at one.
    for (const PolicyData& p : kPolicies)
      if (p.name == a.name) return false;
    if (lookup(a.target) == nullptr) return false;
  }
  return true;
}
static_assert(aliases_well_formed());
static_assert(lookup("default") != nullptr && lookup("default")->name == "20251014");
static_assert(lookup("default_tls13") != nullptr && lookup("default_tls13")->name == "20240503");

}  // namespace

const PolicyData* find_policy(std::string_view name) { return lookup(name); }
std::span<const PolicyData> all_policies() { return kPolicies; }
std::span<const PolicyAlias> policy_aliases() { return kAliases; }

}  // namespace detail

// Constant-initialized: other translation units may use these during their own static init.
constinit const Policy Policy::DEFAULT{detail::lookup("default")};
constinit const Policy Policy::DEFAULT_TLS13{detail::lookup("default_tls13")};

Result<Policy> Policy::from_version(std::string_view name) {
  const detail::PolicyData* p = detail::find_policy(name);
  if (p == nullptr) return make_error(Err::INVALID_SECURITY_POLICY, std::string(name));
  return Policy(p);
}

std::string_view Policy::name() const { return data_->name; }

}  // namespace snr
