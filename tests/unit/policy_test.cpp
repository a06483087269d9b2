// The named policies reproduce s2n-tls's published contents (tests/data/policy-snapshots): each
// policy is rendered back into the snapshot format and compared line by line.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "policy/policy_data.hpp"
#include "policy/registry.hpp"
#include "snr/security.hpp"

namespace snr::policy {
namespace {

namespace fs = std::filesystem;

const fs::path kSnapshotDir = fs::path(SNR_TEST_DATA_DIR) / "policy-snapshots";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// name -> contents, for every snapshot file.
const std::map<std::string, std::string>& snapshots() {
  static const std::map<std::string, std::string> all = [] {
    std::map<std::string, std::string> m;
    for (const fs::directory_entry& e : fs::directory_iterator(kSnapshotDir))
      if (e.is_regular_file()) m[e.path().filename().string()] = read_file(e.path());
    return m;
  }();
  return all;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

// The "- name" items under `heading:` in a snapshot.
std::vector<std::string> section(const std::string& text, const std::string& heading) {
  std::vector<std::string> out;
  bool inside = false;
  for (const std::string& line : split_lines(text)) {
    if (!line.empty() && line[0] != '-')
      inside = line == heading + ":";
    else if (inside && line.rfind("- ", 0) == 0)
      out.push_back(line.substr(2));
  }
  return out;
}

bool has_line(const std::string& text, const std::string& line) {
  auto lines = split_lines(text);
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

std::string hex(uint16_t id) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "<unknown 0x%04x>", id);
  return buf;
}

std::string_view version_name(Version v) {
  switch (v) {
    case Version::SSLV3:
      return "SSLv3";
    case Version::TLS10:
      return "TLS1.0";
    case Version::TLS11:
      return "TLS1.1";
    case Version::TLS12:
      return "TLS1.2";
    case Version::TLS13:
      return "TLS1.3";
    default:
      return "<bad version>";
  }
}

// A policy in s2n's snapshot format. snr's ed25519 additions (see policies.cpp) are left out:
// they are the one documented difference, checked on their own below.
std::string render(const detail::PolicyData& d) {
  std::ostringstream o;
  auto items = [&](std::span<const uint16_t> ids, auto name_of, std::string_view prefix = "- ") {
    for (uint16_t id : ids) o << prefix << name_of(id) << "\n";
  };
  auto suite = [](uint16_t id) {
    const CipherSuite* s = find_suite(id);
    return s ? std::string(s->iana_name) : hex(id);
  };
  auto group = [](uint16_t id) {
    const Group* g = find_group(id);
    return g ? std::string(g->name) : hex(id);
  };
  auto schemes = [&](std::span<const uint16_t> ids) {
    for (uint16_t id : ids) {
      if (id == kSchemeEd25519) continue;
      const SigScheme* s = find_sig_scheme(id);
      o << "- " << (s ? std::string(s->name) : hex(id)) << "\n";
    }
  };

  o << "min version: " << version_name(d.min_version) << "\n";
  o << "rules:\n";
  o << "- Perfect Forward Secrecy: " << (d.rules.pfs ? "yes" : "no") << "\n";
  o << "- FIPS 140-3 (2019): " << (d.rules.fips ? "yes" : "no") << "\n";
  o << "cipher suites:\n";
  if (d.chacha20_boosting) o << "- chacha20 boosting enabled\n";
  items(d.cipher_suites, suite);
  o << "signature schemes:\n";
  schemes(d.sig_schemes);
  o << "curves:\n";
  items(d.curves, group);
  if (!d.strongly_preferred_groups.empty()) {
    o << "strongly preferred groups:\n";
    items(d.strongly_preferred_groups, group);
  }
  if (d.cert_prefs_apply_locally) o << "certificate preferences apply locally\n";
  if (!d.cert_sig_schemes.empty()) {
    o << "certificate signature schemes:\n";
    schemes(d.cert_sig_schemes);
  }
  if (!d.cert_keys.empty()) {
    o << "certificate keys:\n";
    for (CertKey k : d.cert_keys) o << "- " << to_string(k) << "\n";
  }
  if (d.pq_revision != 0) {
    o << "pq:\n- revision: " << int{d.pq_revision} << "\n- kem groups:\n";
    items(d.kem_groups, group, "-- ");
  }
  return o.str();
}

// A line diff (longest common subsequence) with two lines of context: "-" lines are only in the
// snapshot, "+" lines only in snr's rendering.
std::string diff(const std::string& want_text, const std::string& got_text) {
  auto a = split_lines(want_text), b = split_lines(got_text);
  std::vector<std::vector<int>> lcs(a.size() + 1, std::vector<int>(b.size() + 1, 0));
  for (size_t i = a.size(); i-- > 0;)
    for (size_t j = b.size(); j-- > 0;)
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
  std::vector<std::pair<char, std::string>> rows;
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (i < a.size() && j < b.size() && a[i] == b[j]) {
      rows.emplace_back(' ', a[i++]);
      ++j;
    } else if (j < b.size() && (i == a.size() || lcs[i][j + 1] >= lcs[i + 1][j])) {
      rows.emplace_back('+', b[j++]);
    } else {
      rows.emplace_back('-', a[i++]);
    }
  }
  constexpr size_t kContext = 2;
  std::vector<bool> shown(rows.size(), false);
  for (size_t r = 0; r < rows.size(); ++r) {
    if (rows[r].first == ' ') continue;
    for (size_t k = r >= kContext ? r - kContext : 0; k <= r + kContext && k < rows.size(); ++k)
      shown[k] = true;
  }
  std::ostringstream o;
  for (size_t r = 0; r < rows.size(); ++r) {
    if (shown[r])
      o << rows[r].first << ' ' << rows[r].second << "\n";
    else if (r > 0 && shown[r - 1])
      o << "  ...\n";
  }
  return o.str();
}

TEST(PolicySnapshot, EveryFileMatchesTheRegistry) {
  ASSERT_GE(snapshots().size(), 168u) << kSnapshotDir;
  for (const auto& [name, text] : snapshots()) {
    auto p = Policy::from_version(name);
    ASSERT_TRUE(p.ok()) << "no policy named " << name;
    std::string got = render(p->data());
    EXPECT_TRUE(got == text) << "policy " << name
                             << " drifted from its snapshot (- snapshot, + snr):\n"
                             << diff(text, got);
  }
}

TEST(PolicySnapshot, EveryRegistryNameHasAFile) {
  std::set<std::string> names;
  for (const detail::PolicyData& p : detail::all_policies()) names.emplace(p.name);
  for (const detail::PolicyAlias& a : detail::policy_aliases()) names.emplace(a.name);
  std::set<std::string> files;
  for (const auto& [name, text] : snapshots()) files.insert(name);
  EXPECT_EQ(names, files);
  EXPECT_EQ(names.size(), detail::all_policies().size() + detail::policy_aliases().size());
}

// The rule of policies.cpp, restated from the snapshot text.
bool snr_adds_ed25519(const std::string& name, const std::string& text) {
  auto suites = section(text, "cipher suites");
  bool tls13 = std::any_of(suites.begin(), suites.end(), [](const std::string& s) {
    const CipherSuite* c = find_suite_by_name(s);
    return c != nullptr && c->is_tls13();
  });
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  auto schemes = section(text, "signature schemes");
  return tls13 && has_line(text, "- FIPS 140-3 (2019): no") &&
         lower.find("fips") == std::string::npos &&
         !has_line(text, "certificate preferences apply locally") &&
         !has_line(text, "strongly preferred groups:") &&
         std::find(schemes.begin(), schemes.end(), "ecdsa_sha256") != schemes.end();
}

TEST(PolicySnapshot, Ed25519IsAddedExactlyByTheDocumentedRule) {
  int added = 0;
  for (const auto& [file, text] : snapshots()) {
    auto p = Policy::from_version(file);
    ASSERT_TRUE(p.ok()) << file;
    const detail::PolicyData& d = p->data();
    auto count = [](std::span<const uint16_t> ids) {
      return std::count(ids.begin(), ids.end(), kSchemeEd25519);
    };
    if (snr_adds_ed25519(std::string(d.name), text)) {
      ++added;
      ASSERT_FALSE(d.sig_schemes.empty()) << file;
      EXPECT_EQ(d.sig_schemes.back(), kSchemeEd25519) << file;
      EXPECT_EQ(count(d.sig_schemes), 1) << file;
      EXPECT_EQ(count(d.cert_sig_schemes), d.cert_sig_schemes.empty() ? 0 : 1) << file;
      if (!d.cert_sig_schemes.empty()) {
        EXPECT_EQ(d.cert_sig_schemes.back(), kSchemeEd25519) << file;
      }
    } else {
      EXPECT_EQ(count(d.sig_schemes), 0) << file;
      EXPECT_EQ(count(d.cert_sig_schemes), 0) << file;
    }
  }
  // The rule is neither vacuous nor universal.
  EXPECT_GT(added, 50);
  EXPECT_LT(added, static_cast<int>(snapshots().size()));
  // Spot checks, independent of the restated rule.
  for (std::string_view yes : {"default", "default_tls13", "test_all", "test_all_tls13"})
    EXPECT_EQ(Policy::from_version(yes)->data().sig_schemes.back(), kSchemeEd25519) << yes;
  for (std::string_view no :
       {"rfc9151", "cnsa_1", "cnsa_2", "default_fips", "20250211", "20251113", "20140601",
        "KMS-FIPS-TLS-1-2-2021-08", "ELBSecurityPolicy-TLS13-1-2-CNSA2-INTEROP3-FIPS-PQ-2026-07"}) {
    auto ids = Policy::from_version(no)->data().sig_schemes;
    EXPECT_EQ(std::count(ids.begin(), ids.end(), kSchemeEd25519), 0) << no;
  }
}

TEST(Policy, EveryNameResolvesToItself) {
  ASSERT_GE(detail::all_policies().size(), 160u);
  for (const detail::PolicyData& d : detail::all_policies()) {
    auto p = Policy::from_version(d.name);
    ASSERT_TRUE(p.ok()) << d.name;
    EXPECT_EQ(&p->data(), &d);
    EXPECT_EQ(p->name(), d.name);
  }
}

TEST(Policy, AliasesResolveToTheirTargets) {
  const std::map<std::string, std::string> want = {{"default", "20251014"},
                                                   {"default_tls13", "20240503"},
                                                   {"default_fips", "20251015"},
                                                   {"default_pq", "20250721"},
                                                   {"rfc9151", "20251013"}};
  std::map<std::string, std::string> got;
  for (const detail::PolicyAlias& a : detail::policy_aliases())
    got.emplace(std::string(a.name), std::string(a.target));
  EXPECT_EQ(got, want);
  for (const auto& [alias, target] : want) {
    auto a = Policy::from_version(alias);
    auto t = Policy::from_version(target);
    ASSERT_TRUE(a.ok() && t.ok()) << alias;
    EXPECT_TRUE(*a == *t) << alias;
    EXPECT_EQ(a->name(), target);
    // s2n publishes the alias and its target with the same contents.
    EXPECT_EQ(snapshots().at(alias), snapshots().at(target)) << alias;
  }
  // Same contents under another name is a separate policy, not an alias.
  EXPECT_FALSE(*Policy::from_version("cnsa_1") == *Policy::from_version("20251013"));
  EXPECT_EQ(Policy::from_version("cnsa_1")->name(), "cnsa_1");
}

TEST(Policy, DefaultsAreTheDatedPolicies) {
  EXPECT_EQ(Policy::DEFAULT.name(), "20251014");
  EXPECT_EQ(Policy::DEFAULT_TLS13.name(), "20240503");
  EXPECT_TRUE(Policy::DEFAULT == *Policy::from_version("default"));
  EXPECT_TRUE(Policy::DEFAULT_TLS13 == *Policy::from_version("default_tls13"));
}

TEST(Policy, UnknownNameIsAUsageError) {
  for (std::string_view bad :
       {"no_such_policy", "", "DEFAULT", "default ", "2025101", "20251014x", "zzz", "0"}) {
    auto p = Policy::from_version(bad);
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_EQ(p.error().kind(), ErrorKind::Usage);
    EXPECT_EQ(p.error().name(), "S2N_ERR_INVALID_SECURITY_POLICY");
  }
}

TEST(Policy, RichFieldsAreCarried) {
  const detail::PolicyData& r = Policy::from_version("rfc9151")->data();
  EXPECT_TRUE(r.rules.pfs);
  EXPECT_TRUE(r.rules.fips);
  EXPECT_TRUE(r.cert_prefs_apply_locally);
  ASSERT_EQ(r.cert_keys.size(), 5u);
  EXPECT_EQ(r.cert_keys[0], CertKey::ECDSA_P384);
  EXPECT_EQ(r.cert_keys[4], CertKey::RSA_PSS_4096);
  EXPECT_EQ(r.pq_revision, 0);

  const detail::PolicyData& c = Policy::from_version("cnsa_2")->data();
  EXPECT_EQ(c.min_version, Version::TLS13);
  EXPECT_TRUE(c.curves.empty());
  ASSERT_EQ(c.kem_groups.size(), 1u);
  EXPECT_EQ(c.kem_groups[0], 0x0202);
  EXPECT_EQ(c.pq_revision, 5);
  ASSERT_EQ(c.cert_keys.size(), 1u);
  EXPECT_EQ(to_string(c.cert_keys[0]), "mldsa_87");

  EXPECT_TRUE(
      Policy::from_version("CloudFront-TLS-1-2-2021-Chacha20-Boosted")->data().chacha20_boosting);
  EXPECT_FALSE(Policy::DEFAULT.data().chacha20_boosting);
  auto strong = Policy::from_version("20251113")->data().strongly_preferred_groups;
  ASSERT_EQ(strong.size(), 1u);
  EXPECT_EQ(strong[0], 0x0018);
  EXPECT_FALSE(Policy::DEFAULT.data().rules.fips);
  EXPECT_TRUE(Policy::DEFAULT.data().rules.pfs);
  EXPECT_FALSE(Policy::from_version("20140601")->data().rules.pfs);
}

// The TLS 1.3 handshake offers only implemented rows; policies that name RC4, 3DES, ML-KEM or
// ML-DSA are still listed.
TEST(Policy, UnimplementedEntriesStayListed) {
  const detail::PolicyData& t = Policy::from_version("test_all")->data();
  EXPECT_EQ(t.cipher_suites.size(), 36u);
  EXPECT_EQ(t.sig_schemes.front(), kSchemeLegacyRsaMd5Sha1);
  EXPECT_FALSE(find_suite(t.cipher_suites.front())->implemented);  // RC4-MD5
  EXPECT_FALSE(find_group(t.kem_groups.front())->implemented);     // X25519MLKEM768
}

TEST(PolicyRegistry, NamesMatchSpec) {
  EXPECT_EQ(find_suite(0x1301)->iana_name, "TLS_AES_128_GCM_SHA256");
  EXPECT_EQ(find_suite(0x1301)->openssl_name, "TLS_AES_128_GCM_SHA256");
  const std::pair<uint16_t, std::string_view> openssl[] = {
      {0xC02F, "ECDHE-RSA-AES128-GCM-SHA256"},
      {0xCCA9, "ECDHE-ECDSA-CHACHA20-POLY1305"},
      {0x002F, "AES128-SHA"},
      {0x000A, "DES-CBC3-SHA"},
      {0x0004, "RC4-MD5"},
      {0x009F, "DHE-RSA-AES256-GCM-SHA384"},
      {0x0016, "DHE-RSA-DES-CBC3-SHA"},
      {0xC011, "ECDHE-RSA-RC4-SHA"},
      {0xC024, "ECDHE-ECDSA-AES256-SHA384"},
      {0x003D, "AES256-SHA256"},
      {0xCCAA, "DHE-RSA-CHACHA20-POLY1305"},
      {0xC00A, "ECDHE-ECDSA-AES256-SHA"},
  };
  for (auto [id, name] : openssl) {
    ASSERT_NE(find_suite(id), nullptr) << id;
    EXPECT_EQ(find_suite(id)->openssl_name, name);
  }
  EXPECT_EQ(find_group(0x001d)->name, "x25519");
  EXPECT_EQ(find_group_by_name("X25519MLKEM768")->iana, 0x11EC);
  EXPECT_EQ(find_group_by_name("SecP256r1MLKEM768")->iana, 0x11EB);
  EXPECT_EQ(find_group_by_name("SecP384r1MLKEM1024")->iana, 0x11ED);
  EXPECT_EQ(find_group_by_name("MLKEM1024")->iana, 0x0202);
  EXPECT_EQ(find_sig_scheme(0x0403)->name, "ecdsa_sha256");
  EXPECT_EQ(find_sig_scheme(0x0403)->iana_name, "ecdsa_secp256r1_sha256");
  EXPECT_EQ(find_sig_scheme_by_name("mldsa44")->iana, 0x0904);
  EXPECT_EQ(find_sig_scheme_by_name("mldsa65")->iana, 0x0905);
  EXPECT_EQ(find_sig_scheme_by_name("mldsa87")->iana, 0x0906);
  EXPECT_EQ(find_sig_scheme_by_name("legacy_rsa_md5_sha1")->iana, kSchemeLegacyRsaMd5Sha1);
  EXPECT_TRUE(scheme_fits_key_13(*find_sig_scheme(0x0503), crypto::KeyType::EC_P384));
  EXPECT_FALSE(scheme_fits_key_13(*find_sig_scheme(0x0503), crypto::KeyType::EC_P256));
  EXPECT_FALSE(scheme_fits_key_13(*find_sig_scheme(0x0401), crypto::KeyType::RSA));
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
bool contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

// Every suite row agrees with what its IANA name spells out.
TEST(PolicyRegistry, SuiteRowsFollowTheirNames) {
  auto suites = all_suites();
  EXPECT_EQ(suites.size(), 36u);
  std::set<std::string_view> openssl_names;
  for (const CipherSuite& s : suites) {
    SCOPED_TRACE(s.iana_name);
    EXPECT_TRUE(openssl_names.insert(s.openssl_name).second) << "duplicate OpenSSL name";
    std::string_view n = s.iana_name;
    bool tls13 = !contains(n, "_WITH_");
    EXPECT_EQ(s.is_tls13(), tls13);
    // Everything but RC4 and 3DES, which snr does not offer (see README).
    EXPECT_EQ(s.implemented, !contains(n, "RC4") && !contains(n, "3DES"));

    KeyExchange kx = tls13                         ? KeyExchange::TLS13
                     : n.starts_with("TLS_ECDHE_") ? KeyExchange::ECDHE
                     : n.starts_with("TLS_DHE_")   ? KeyExchange::DHE
                                                   : KeyExchange::RSA;
    EXPECT_EQ(s.kx, kx);
    Auth auth = tls13 ? Auth::Any : contains(n, "_ECDSA_") ? Auth::ECDSA : Auth::RSA;
    EXPECT_EQ(s.auth, auth);

    BulkCipher c = contains(n, "AES_128_GCM")         ? BulkCipher::AES_128_GCM
                   : contains(n, "AES_256_GCM")       ? BulkCipher::AES_256_GCM
                   : contains(n, "CHACHA20_POLY1305") ? BulkCipher::CHACHA20_POLY1305
                   : contains(n, "AES_128_CBC")       ? BulkCipher::AES_128_CBC
                   : contains(n, "AES_256_CBC")       ? BulkCipher::AES_256_CBC
                   : contains(n, "3DES_EDE_CBC")      ? BulkCipher::TDES_CBC
                                                      : BulkCipher::RC4_128;
    EXPECT_EQ(s.cipher, c);

    crypto::HashAlg hash =
        ends_with(n, "_SHA384") ? crypto::HashAlg::SHA384 : crypto::HashAlg::SHA256;
    EXPECT_EQ(s.hash, hash);
    crypto::HashAlg mac = s.is_aead()            ? hash
                          : ends_with(n, "_MD5") ? crypto::HashAlg::MD5
                          : ends_with(n, "_SHA") ? crypto::HashAlg::SHA1
                                                 : hash;
    EXPECT_EQ(s.mac, mac);

    Version min = tls13                                          ? Version::TLS13
                  : ends_with(n, "_SHA") || ends_with(n, "_MD5") ? Version::SSLV3
                                                                 : Version::TLS12;
    EXPECT_EQ(s.min_version, min);
    EXPECT_EQ(find_suite(s.iana), &s);
    EXPECT_EQ(find_suite_by_name(s.iana_name), &s);
  }
}

TEST(PolicyRegistry, ImplementedFlags) {
  for (const Group& g : all_groups()) {
    bool ecdhe = g.name == "x25519" || g.name == "secp256r1" || g.name == "secp384r1" ||
                 g.name == "secp521r1";
    EXPECT_EQ(g.implemented, ecdhe) << g.name;
    EXPECT_EQ(g.kind == GroupKind::ECDHE, ecdhe) << g.name;
  }
  for (const SigScheme& s : all_sig_schemes()) {
    bool unimplemented = s.name.starts_with("mldsa") || s.name == "legacy_rsa_md5_sha1";
    EXPECT_EQ(s.implemented, !unimplemented) << s.name;
    // An unimplemented scheme must never be chosen for a TLS 1.3 CertificateVerify.
    if (unimplemented) {
      for (auto key : {crypto::KeyType::RSA, crypto::KeyType::RSA_PSS, crypto::KeyType::EC_P256,
                       crypto::KeyType::ED25519, crypto::KeyType::Unknown}) {
        EXPECT_FALSE(scheme_fits_key_13(s, key)) << s.name;
      }
    }
    EXPECT_EQ(find_sig_scheme(s.iana), &s);
    EXPECT_EQ(find_sig_scheme_by_name(s.name), &s);
  }
  // The internal id is in the private-use range and shadows nothing else.
  EXPECT_GE(kSchemeLegacyRsaMd5Sha1, 0xFE00);
  EXPECT_EQ(std::count_if(all_sig_schemes().begin(), all_sig_schemes().end(),
                          [](const SigScheme& s) { return s.iana == kSchemeLegacyRsaMd5Sha1; }),
            1);
}

// Every id a policy lists exists in the registry (the renderer would print "<unknown>" too, but
// this names the list).
TEST(PolicyRegistry, PoliciesOnlyNameRegistryRows) {
  for (const detail::PolicyData& d : detail::all_policies()) {
    SCOPED_TRACE(d.name);
    for (uint16_t id : d.cipher_suites) EXPECT_NE(find_suite(id), nullptr) << id;
    for (auto list : {d.sig_schemes, d.cert_sig_schemes})
      for (uint16_t id : list) EXPECT_NE(find_sig_scheme(id), nullptr) << id;
    for (uint16_t id : d.curves) {
      ASSERT_NE(find_group(id), nullptr) << id;
      EXPECT_EQ(find_group(id)->kind, GroupKind::ECDHE);
    }
    for (uint16_t id : d.kem_groups) {
      ASSERT_NE(find_group(id), nullptr) << id;
      EXPECT_NE(find_group(id)->kind, GroupKind::ECDHE);
    }
    for (uint16_t id : d.strongly_preferred_groups) EXPECT_NE(find_group(id), nullptr) << id;
  }
}

}  // namespace
}  // namespace snr::policy
