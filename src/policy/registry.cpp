#include "policy/registry.hpp"

#include "policy/policy_data.hpp"

namespace snr::policy {
namespace {

using crypto::HashAlg;
using crypto::KeyType;
using crypto::SigKind;
using V = Version;
using KX = KeyExchange;
using BC = BulkCipher;
using H = HashAlg;

// Every suite a named policy lists (36), in IANA order. `implemented` is the one switch the
// handshakes read: a suite turns true when the code that negotiates it lands.
constexpr CipherSuite kSuites[] = {
    // iana, IANA name, OpenSSL name, min version, kx, auth, cipher, mac, hash, implemented
    {0x0004, "TLS_RSA_WITH_RC4_128_MD5", "RC4-MD5", V::SSLV3, KX::RSA, Auth::RSA, BC::RC4_128,
     H::MD5, H::SHA256, false},
    {0x0005, "TLS_RSA_WITH_RC4_128_SHA", "RC4-SHA", V::SSLV3, KX::RSA, Auth::RSA, BC::RC4_128,
     H::SHA1, H::SHA256, false},
    {0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "DES-CBC3-SHA", V::SSLV3, KX::RSA, Auth::RSA,
     BC::TDES_CBC, H::SHA1, H::SHA256, false},
    {0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA", "DHE-RSA-DES-CBC3-SHA", V::SSLV3, KX::DHE,
     Auth::RSA, BC::TDES_CBC, H::SHA1, H::SHA256, false},
    {0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA", V::SSLV3, KX::RSA, Auth::RSA,
     BC::AES_128_CBC, H::SHA1, H::SHA256, true},
    {0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", "DHE-RSA-AES128-SHA", V::SSLV3, KX::DHE, Auth::RSA,
     BC::AES_128_CBC, H::SHA1, H::SHA256, true},
    {0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA", V::SSLV3, KX::RSA, Auth::RSA,
     BC::AES_256_CBC, H::SHA1, H::SHA256, true},
    {0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", "DHE-RSA-AES256-SHA", V::SSLV3, KX::DHE, Auth::RSA,
     BC::AES_256_CBC, H::SHA1, H::SHA256, true},
    {0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256", "AES128-SHA256", V::TLS12, KX::RSA, Auth::RSA,
     BC::AES_128_CBC, H::SHA256, H::SHA256, true},
    {0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256", "AES256-SHA256", V::TLS12, KX::RSA, Auth::RSA,
     BC::AES_256_CBC, H::SHA256, H::SHA256, true},
    {0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", "DHE-RSA-AES128-SHA256", V::TLS12, KX::DHE,
     Auth::RSA, BC::AES_128_CBC, H::SHA256, H::SHA256, true},
    {0x006B, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", "DHE-RSA-AES256-SHA256", V::TLS12, KX::DHE,
     Auth::RSA, BC::AES_256_CBC, H::SHA256, H::SHA256, true},
    {0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256", V::TLS12, KX::RSA, Auth::RSA,
     BC::AES_128_GCM, H::SHA256, H::SHA256, true},
    {0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384", V::TLS12, KX::RSA, Auth::RSA,
     BC::AES_256_GCM, H::SHA384, H::SHA384, true},
    {0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "DHE-RSA-AES128-GCM-SHA256", V::TLS12, KX::DHE,
     Auth::RSA, BC::AES_128_GCM, H::SHA256, H::SHA256, true},
    {0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "DHE-RSA-AES256-GCM-SHA384", V::TLS12, KX::DHE,
     Auth::RSA, BC::AES_256_GCM, H::SHA384, H::SHA384, true},
    {0x1301, "TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256", V::TLS13, KX::TLS13, Auth::Any,
     BC::AES_128_GCM, H::SHA256, H::SHA256, true},
    {0x1302, "TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384", V::TLS13, KX::TLS13, Auth::Any,
     BC::AES_256_GCM, H::SHA384, H::SHA384, true},
    {0x1303, "TLS_CHACHA20_POLY1305_SHA256", "TLS_CHACHA20_POLY1305_SHA256", V::TLS13, KX::TLS13,
     Auth::Any, BC::CHACHA20_POLY1305, H::SHA256, H::SHA256, true},
    {0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA", V::SSLV3, KX::ECDHE,
     Auth::ECDSA, BC::AES_128_CBC, H::SHA1, H::SHA256, true},
    {0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA", V::SSLV3, KX::ECDHE,
     Auth::ECDSA, BC::AES_256_CBC, H::SHA1, H::SHA256, true},
    {0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA", "ECDHE-RSA-RC4-SHA", V::SSLV3, KX::ECDHE, Auth::RSA,
     BC::RC4_128, H::SHA1, H::SHA256, false},
    {0xC012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "ECDHE-RSA-DES-CBC3-SHA", V::SSLV3, KX::ECDHE,
     Auth::RSA, BC::TDES_CBC, H::SHA1, H::SHA256, false},
    {0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA", V::SSLV3, KX::ECDHE,
     Auth::RSA, BC::AES_128_CBC, H::SHA1, H::SHA256, true},
    {0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA", V::SSLV3, KX::ECDHE,
     Auth::RSA, BC::AES_256_CBC, H::SHA1, H::SHA256, true},
    {0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "ECDHE-ECDSA-AES128-SHA256", V::TLS12,
     KX::ECDHE, Auth::ECDSA, BC::AES_128_CBC, H::SHA256, H::SHA256, true},
    {0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "ECDHE-ECDSA-AES256-SHA384", V::TLS12,
     KX::ECDHE, Auth::ECDSA, BC::AES_256_CBC, H::SHA384, H::SHA384, true},
    {0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "ECDHE-RSA-AES128-SHA256", V::TLS12,
     KX::ECDHE, Auth::RSA, BC::AES_128_CBC, H::SHA256, H::SHA256, true},
    {0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "ECDHE-RSA-AES256-SHA384", V::TLS12,
     KX::ECDHE, Auth::RSA, BC::AES_256_CBC, H::SHA384, H::SHA384, true},
    {0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256", V::TLS12,
     KX::ECDHE, Auth::ECDSA, BC::AES_128_GCM, H::SHA256, H::SHA256, true},
    {0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384", V::TLS12,
     KX::ECDHE, Auth::ECDSA, BC::AES_256_GCM, H::SHA384, H::SHA384, true},
    {0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256", V::TLS12,
     KX::ECDHE, Auth::RSA, BC::AES_128_GCM, H::SHA256, H::SHA256, true},
    {0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384", V::TLS12,
     KX::ECDHE, Auth::RSA, BC::AES_256_GCM, H::SHA384, H::SHA384, true},
    {0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305", V::TLS12,
     KX::ECDHE, Auth::RSA, BC::CHACHA20_POLY1305, H::SHA256, H::SHA256, true},
    {0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305",
     V::TLS12, KX::ECDHE, Auth::ECDSA, BC::CHACHA20_POLY1305, H::SHA256, H::SHA256, true},
    {0xCCAA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "DHE-RSA-CHACHA20-POLY1305", V::TLS12,
     KX::DHE, Auth::RSA, BC::CHACHA20_POLY1305, H::SHA256, H::SHA256, true},
};

constexpr Group kGroups[] = {
    {0x0017, "secp256r1", GroupKind::ECDHE, true},
    {0x0018, "secp384r1", GroupKind::ECDHE, true},
    {0x0019, "secp521r1", GroupKind::ECDHE, true},
    {0x001d, "x25519", GroupKind::ECDHE, true},
    // ML-KEM (FIPS 203): OpenSSL 3.0 has no EVP KEM for it, so these are listed, not used.
    {0x0202, "MLKEM1024", GroupKind::KEM, false},
    {0x11EB, "SecP256r1MLKEM768", GroupKind::HYBRID, false},
    {0x11EC, "X25519MLKEM768", GroupKind::HYBRID, false},
    {0x11ED, "SecP384r1MLKEM1024", GroupKind::HYBRID, false},
};

constexpr crypto::SigParams P(SigKind k, HashAlg h) { return crypto::SigParams{k, h}; }
// ML-DSA has no SigKind (OpenSSL 3.0 lacks it); these rows are not implemented, so never read.
constexpr crypto::SigParams kNoParams = P(SigKind::RSA_PKCS1, HashAlg::SHA256);
using SA = SignatureAlgorithm;
using HA = HashAlgorithm;

constexpr SigScheme kSchemes[] = {
    // Usable in TLS 1.2 and, in TLS 1.3, only in certificate chains (RFC 8446 4.2.3).
    {0x0201, "rsa_pkcs1_sha1", "rsa_pkcs1_sha1", SA::RSA_PKCS1, HA::SHA1,
     P(SigKind::RSA_PKCS1, HashAlg::SHA1), KeyType::Unknown, true},
    {0x0203, "ecdsa_sha1", "ecdsa_sha1", SA::ECDSA, HA::SHA1, P(SigKind::ECDSA, HashAlg::SHA1),
     KeyType::Unknown, true},
    // TLS 1.2 (hash, signature) pairs with no RFC 8446 name.
    {0x0301, "legacy_rsa_sha224", "rsa_sha224", SA::RSA_PKCS1, HA::SHA224,
     P(SigKind::RSA_PKCS1, HashAlg::SHA224), KeyType::Unknown, true},
    {0x0303, "legacy_ecdsa_sha224", "ecdsa_sha224", SA::ECDSA, HA::SHA224,
     P(SigKind::ECDSA, HashAlg::SHA224), KeyType::Unknown, true},
    {0x0401, "rsa_pkcs1_sha256", "rsa_pkcs1_sha256", SA::RSA_PKCS1, HA::SHA256,
     P(SigKind::RSA_PKCS1, HashAlg::SHA256), KeyType::Unknown, true},
    {0x0403, "ecdsa_sha256", "ecdsa_secp256r1_sha256", SA::ECDSA, HA::SHA256,
     P(SigKind::ECDSA, HashAlg::SHA256), KeyType::EC_P256, true},
    {0x0501, "rsa_pkcs1_sha384", "rsa_pkcs1_sha384", SA::RSA_PKCS1, HA::SHA384,
     P(SigKind::RSA_PKCS1, HashAlg::SHA384), KeyType::Unknown, true},
    {0x0503, "ecdsa_sha384", "ecdsa_secp384r1_sha384", SA::ECDSA, HA::SHA384,
     P(SigKind::ECDSA, HashAlg::SHA384), KeyType::EC_P384, true},
    {0x0601, "rsa_pkcs1_sha512", "rsa_pkcs1_sha512", SA::RSA_PKCS1, HA::SHA512,
     P(SigKind::RSA_PKCS1, HashAlg::SHA512), KeyType::Unknown, true},
    {0x0603, "ecdsa_sha512", "ecdsa_secp521r1_sha512", SA::ECDSA, HA::SHA512,
     P(SigKind::ECDSA, HashAlg::SHA512), KeyType::EC_P521, true},
    {0x0804, "rsa_pss_rsae_sha256", "rsa_pss_rsae_sha256", SA::RSA_PSS_RSAE, HA::SHA256,
     P(SigKind::RSA_PSS, HashAlg::SHA256), KeyType::RSA, true},
    {0x0805, "rsa_pss_rsae_sha384", "rsa_pss_rsae_sha384", SA::RSA_PSS_RSAE, HA::SHA384,
     P(SigKind::RSA_PSS, HashAlg::SHA384), KeyType::RSA, true},
    {0x0806, "rsa_pss_rsae_sha512", "rsa_pss_rsae_sha512", SA::RSA_PSS_RSAE, HA::SHA512,
     P(SigKind::RSA_PSS, HashAlg::SHA512), KeyType::RSA, true},
    {0x0807, "ed25519", "ed25519", SA::ED25519, HA::None, P(SigKind::ED25519, HashAlg::SHA512),
     KeyType::ED25519, true},
    {0x0809, "rsa_pss_pss_sha256", "rsa_pss_pss_sha256", SA::RSA_PSS_PSS, HA::SHA256,
     P(SigKind::RSA_PSS, HashAlg::SHA256), KeyType::RSA_PSS, true},
    {0x080a, "rsa_pss_pss_sha384", "rsa_pss_pss_sha384", SA::RSA_PSS_PSS, HA::SHA384,
     P(SigKind::RSA_PSS, HashAlg::SHA384), KeyType::RSA_PSS, true},
    {0x080b, "rsa_pss_pss_sha512", "rsa_pss_pss_sha512", SA::RSA_PSS_PSS, HA::SHA512,
     P(SigKind::RSA_PSS, HashAlg::SHA512), KeyType::RSA_PSS, true},
    // ML-DSA (FIPS 204): OpenSSL 3.0 cannot sign or verify it.
    {0x0904, "mldsa44", "mldsa44", SA::MLDSA, HA::None, kNoParams, KeyType::Unknown, false},
    {0x0905, "mldsa65", "mldsa65", SA::MLDSA, HA::None, kNoParams, KeyType::Unknown, false},
    {0x0906, "mldsa87", "mldsa87", SA::MLDSA, HA::None, kNoParams, KeyType::Unknown, false},
    // No code point and no IANA name; see kSchemeLegacyRsaMd5Sha1.
    {kSchemeLegacyRsaMd5Sha1, "legacy_rsa_md5_sha1", "", SA::RSA_PKCS1, HA::MD5_SHA1,
     P(SigKind::RSA_PKCS1, HashAlg::MD5_SHA1), KeyType::Unknown, false},
};

template <class T, size_t N>
constexpr bool ids_unique(const T (&table)[N]) {
  for (size_t i = 0; i < N; ++i)
    for (size_t j = i + 1; j < N; ++j)
      if (table[i].iana == table[j].iana) return false;
  return true;
}
static_assert(ids_unique(kSuites) && ids_unique(kGroups) && ids_unique(kSchemes));

template <class T, size_t N, class Pred>
const T* find_in(const T (&table)[N], Pred pred) {
  for (const T& row : table)
    if (pred(row)) return &row;
  return nullptr;
}

}  // namespace

const CipherSuite* find_suite(uint16_t iana) {
  return find_in(kSuites, [&](const CipherSuite& s) { return s.iana == iana; });
}
const CipherSuite* find_suite_by_name(std::string_view n) {
  return find_in(kSuites, [&](const CipherSuite& s) { return s.iana_name == n; });
}
const Group* find_group(uint16_t iana) {
  return find_in(kGroups, [&](const Group& g) { return g.iana == iana; });
}
const Group* find_group_by_name(std::string_view n) {
  return find_in(kGroups, [&](const Group& g) { return g.name == n; });
}
const SigScheme* find_sig_scheme(uint16_t iana) {
  return find_in(kSchemes, [&](const SigScheme& s) { return s.iana == iana; });
}
const SigScheme* find_sig_scheme_by_name(std::string_view n) {
  return find_in(kSchemes, [&](const SigScheme& s) { return s.name == n; });
}

std::span<const CipherSuite> all_suites() { return kSuites; }
std::span<const Group> all_groups() { return kGroups; }
std::span<const SigScheme> all_sig_schemes() { return kSchemes; }

bool scheme_fits_key_13(const SigScheme& scheme, crypto::KeyType key) {
  return scheme.implemented && scheme.tls13_key != KeyType::Unknown && scheme.tls13_key == key;
}

std::string_view to_string(CertKey k) {
  switch (k) {
    case CertKey::RSA_1024:
      return "rsa_1024";
    case CertKey::RSA_2048:
      return "rsa_2048";
    case CertKey::RSA_3072:
      return "rsa_3072";
    case CertKey::RSA_4096:
      return "rsa_4096";
    case CertKey::RSA_PSS_2048:
      return "rsa_pss_2048";
    case CertKey::RSA_PSS_3072:
      return "rsa_pss_3072";
    case CertKey::RSA_PSS_4096:
      return "rsa_pss_4096";
    case CertKey::ECDSA_P256:
      return "ecdsa_p256";
    case CertKey::ECDSA_P384:
      return "ecdsa_p384";
    case CertKey::ECDSA_P521:
      return "ecdsa_p521";
    case CertKey::MLDSA_44:
      return "mldsa_44";
    case CertKey::MLDSA_65:
      return "mldsa_65";
    case CertKey::MLDSA_87:
      return "mldsa_87";
  }
  return "unknown";
}

}  // namespace snr::policy
