// The contents of a named security policy.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "snr/enums.hpp"

namespace snr::policy {

// A kind of certificate key a policy allows for the local certificate (s2n's names, e.g.
// "ecdsa_p384", "rsa_pss_3072", "mldsa_87").
enum class CertKey : uint8_t {
  RSA_1024,
  RSA_2048,
  RSA_3072,
  RSA_4096,
  RSA_PSS_2048,
  RSA_PSS_3072,
  RSA_PSS_4096,
  ECDSA_P256,
  ECDSA_P384,
  ECDSA_P521,
  MLDSA_44,
  MLDSA_65,
  MLDSA_87,
};
std::string_view to_string(CertKey k);

}  // namespace snr::policy

namespace snr::detail {

// The rules s2n checks its policies against.
struct PolicyRules {
  bool pfs = false;   // "Perfect Forward Secrecy": every suite uses an ephemeral key exchange
  bool fips = false;  // "FIPS 140-3 (2019)": only FIPS-approved algorithms
};

// The first six fields keep their order: tests build ad-hoc policies with six-field aggregate
// initialization. The maximum version is implicit: TLS 1.3 when a TLS 1.3 suite is listed, else
// TLS 1.2 (never below min_version).
struct PolicyData {
  std::string_view name;
  Version min_version;
  std::span<const uint16_t> cipher_suites;     // IANA ids, preference order
  std::span<const uint16_t> sig_schemes;       // handshake signature schemes, preference order
  std::span<const uint16_t> curves;            // ECDHE groups, preference order
  std::span<const uint16_t> cert_sig_schemes;  // allowed in certificate chains (empty: any)

  PolicyRules rules{};
  // ChaCha20 boosting: the server picks a ChaCha20 suite when the client lists one first.
  bool chacha20_boosting = false;
  // Groups worth a HelloRetryRequest even when the client sent a share for another mutual group.
  std::span<const uint16_t> strongly_preferred_groups{};
  // cert_sig_schemes and cert_keys also bind the local certificate chain, not only the peer's.
  bool cert_prefs_apply_locally = false;
  std::span<const policy::CertKey> cert_keys{};  // allowed certificate keys (empty: any)
  uint8_t pq_revision = 0;                       // 0: the policy has no post-quantum preferences
  std::span<const uint16_t> kem_groups{};        // hybrid and pure ML-KEM groups, preference order
};

struct PolicyAlias {
  std::string_view name;    // "default"
  std::string_view target;  // "20251014"
};

// nullptr when the name is unknown. Aliases resolve to their target's PolicyData.
const PolicyData* find_policy(std::string_view name);
// Every named policy except the aliases, sorted by name.
std::span<const PolicyData> all_policies();
std::span<const PolicyAlias> policy_aliases();

}  // namespace snr::detail
