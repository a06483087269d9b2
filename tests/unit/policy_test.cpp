// The named policies reproduce s2n-tls's published contents (tests/data/policy-snapshots).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "policy/policy_data.hpp"
#include "policy/registry.hpp"
#include "snr/security.hpp"

namespace snr::policy {
namespace {

// The "- name" items under `heading:` in a snapshot file.
std::vector<std::string> section(const std::string& file, const std::string& heading) {
  std::ifstream in(std::string(SNR_TEST_DATA_DIR) + "/policy-snapshots/" + file);
  EXPECT_TRUE(in.good()) << file;
  std::vector<std::string> out;
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] != '-')
      inside = line == heading + ":";
    else if (inside && line.rfind("- ", 0) == 0)
      out.push_back(line.substr(2));
  }
  return out;
}

template <class F>
std::vector<std::string> names(std::span<const uint16_t> ids, F name_of) {
  std::vector<std::string> out;
  for (uint16_t id : ids) out.emplace_back(name_of(id));
  return out;
}

void expect_matches_snapshot(std::string_view policy_name, const std::string& snapshot) {
  auto p = Policy::from_version(policy_name);
  ASSERT_TRUE(p.ok());
  const detail::PolicyData& d = p->data();
  EXPECT_EQ(names(d.cipher_suites, [](uint16_t id) { return find_suite(id)->iana_name; }),
            section(snapshot, "cipher suites"));
  EXPECT_EQ(names(d.curves, [](uint16_t id) { return find_group(id)->name; }),
            section(snapshot, "curves"));
  // snr adds ed25519 (last) to policies that allow TLS 1.3; the rest is s2n's list.
  auto schemes = names(d.sig_schemes, [](uint16_t id) { return find_sig_scheme(id)->name; });
  ASSERT_FALSE(schemes.empty());
  EXPECT_EQ(schemes.back(), "ed25519");
  schemes.pop_back();
  EXPECT_EQ(schemes, section(snapshot, "signature schemes"));
}

TEST(Policy, DefaultIs20251014) {
  expect_matches_snapshot("default", "20251014");
  EXPECT_EQ(Policy::DEFAULT.name(), "20251014");
}

TEST(Policy, DefaultTls13Is20240503) {
  expect_matches_snapshot("default_tls13", "20240503");
  EXPECT_EQ(Policy::DEFAULT_TLS13.name(), "20240503");
}

TEST(Policy, UnknownNameIsAUsageError) {
  auto p = Policy::from_version("no_such_policy");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().kind(), ErrorKind::Usage);
  EXPECT_EQ(p.error().name(), "S2N_ERR_INVALID_SECURITY_POLICY");
}

TEST(Policy, RegistryNamesMatchSpec) {
  EXPECT_EQ(find_suite(0x1301)->iana_name, "TLS_AES_128_GCM_SHA256");
  EXPECT_EQ(find_suite(0xC02F)->openssl_name, "ECDHE-RSA-AES128-GCM-SHA256");
  EXPECT_EQ(find_group(0x001d)->name, "x25519");
  EXPECT_EQ(find_sig_scheme(0x0403)->name, "ecdsa_sha256");
  EXPECT_EQ(find_sig_scheme(0x0403)->iana_name, "ecdsa_secp256r1_sha256");
  EXPECT_TRUE(scheme_fits_key_13(*find_sig_scheme(0x0503), crypto::KeyType::EC_P384));
  EXPECT_FALSE(scheme_fits_key_13(*find_sig_scheme(0x0503), crypto::KeyType::EC_P256));
  EXPECT_FALSE(scheme_fits_key_13(*find_sig_scheme(0x0401), crypto::KeyType::RSA));
}

}  // namespace
}  // namespace snr::policy
