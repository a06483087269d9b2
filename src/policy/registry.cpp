#include "policy/registry.hpp"

#include <array>

namespace snr::policy {
namespace {

using crypto::AeadAlg;
using crypto::HashAlg;
using crypto::KeyType;
using crypto::SigKind;
using V = Version;

using KX = KeyExchange;
using BC = BulkCipher;

constexpr CipherSuite kSuites[] = {
    {0x1301, "TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256", V::TLS13, KX::TLS13, Auth::Any,
     BC::AES_128_GCM, HashAlg::SHA256, HashAlg::SHA256, true},
    {0x1302, "TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384", V::TLS13, KX::TLS13, Auth::Any,
     BC::AES_256_GCM, HashAlg::SHA384, HashAlg::SHA384, true},
    {0x1303, "TLS_CHACHA20_POLY1305_SHA256", "TLS_CHACHA20_POLY1305_SHA256", V::TLS13, KX::TLS13,
     Auth::Any, BC::CHACHA20_POLY1305, HashAlg::SHA256, HashAlg::SHA256, true},
    // TLS 1.2 suites: policies name them; the TLS 1.2 handshake negotiates them.
    {0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256", V::TLS12,
     KX::ECDHE, Auth::ECDSA, BC::AES_128_GCM, HashAlg::SHA256, HashAlg::SHA256, false},
    {0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256", V::TLS12,
     KX::ECDHE, Auth::RSA, BC::AES_128_GCM, HashAlg::SHA256, HashAlg::SHA256, false},
    {0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384", V::TLS12,
     KX::ECDHE, Auth::ECDSA, BC::AES_256_GCM, HashAlg::SHA384, HashAlg::SHA384, false},
    {0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384", V::TLS12,
     KX::ECDHE, Auth::RSA, BC::AES_256_GCM, HashAlg::SHA384, HashAlg::SHA384, false},
    {0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305",
     V::TLS12, KX::ECDHE, Auth::ECDSA, BC::CHACHA20_POLY1305, HashAlg::SHA256, HashAlg::SHA256,
     false},
    {0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305",
     V::TLS12, KX::ECDHE, Auth::RSA, BC::CHACHA20_POLY1305, HashAlg::SHA256, HashAlg::SHA256,
     false},
    {0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "ECDHE-ECDSA-AES256-SHA384", V::TLS12,
     KX::ECDHE, Auth::ECDSA, BC::AES_256_CBC, HashAlg::SHA384, HashAlg::SHA384, false},
    {0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "ECDHE-RSA-AES256-SHA384", V::TLS12,
     KX::ECDHE, Auth::RSA, BC::AES_256_CBC, HashAlg::SHA384, HashAlg::SHA384, false},
    {0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "ECDHE-ECDSA-AES128-SHA256", V::TLS12,
     KX::ECDHE, Auth::ECDSA, BC::AES_128_CBC, HashAlg::SHA256, HashAlg::SHA256, false},
    {0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "ECDHE-RSA-AES128-SHA256", V::TLS12,
     KX::ECDHE, Auth::RSA, BC::AES_128_CBC, HashAlg::SHA256, HashAlg::SHA256, false},
};

constexpr Group kGroups[] = {
    {0x0017, "secp256r1", GroupKind::ECDHE, true},
    {0x0018, "secp384r1", GroupKind::ECDHE, true},
    {0x0019, "secp521r1", GroupKind::ECDHE, true},
    {0x001d, "x25519", GroupKind::ECDHE, true},
};

constexpr crypto::SigParams P(SigKind k, HashAlg h) { return crypto::SigParams{k, h}; }
using SA = SignatureAlgorithm;
using HA = HashAlgorithm;

constexpr SigScheme kSchemes[] = {
    {0x0403, "ecdsa_sha256", "ecdsa_secp256r1_sha256", SA::ECDSA, HA::SHA256,
     P(SigKind::ECDSA, HashAlg::SHA256), KeyType::EC_P256, true},
    {0x0503, "ecdsa_sha384", "ecdsa_secp384r1_sha384", SA::ECDSA, HA::SHA384,
     P(SigKind::ECDSA, HashAlg::SHA384), KeyType::EC_P384, true},
    {0x0603, "ecdsa_sha512", "ecdsa_secp521r1_sha512", SA::ECDSA, HA::SHA512,
     P(SigKind::ECDSA, HashAlg::SHA512), KeyType::EC_P521, true},
    {0x0804, "rsa_pss_rsae_sha256", "rsa_pss_rsae_sha256", SA::RSA_PSS_RSAE, HA::SHA256,
     P(SigKind::RSA_PSS, HashAlg::SHA256), KeyType::RSA, true},
    {0x0805, "rsa_pss_rsae_sha384", "rsa_pss_rsae_sha384", SA::RSA_PSS_RSAE, HA::SHA384,
     P(SigKind::RSA_PSS, HashAlg::SHA384), KeyType::RSA, true},
    {0x0806, "rsa_pss_rsae_sha512", "rsa_pss_rsae_sha512", SA::RSA_PSS_RSAE, HA::SHA512,
     P(SigKind::RSA_PSS, HashAlg::SHA512), KeyType::RSA, true},
    {0x0809, "rsa_pss_pss_sha256", "rsa_pss_pss_sha256", SA::RSA_PSS_PSS, HA::SHA256,
     P(SigKind::RSA_PSS, HashAlg::SHA256), KeyType::RSA_PSS, true},
    {0x080a, "rsa_pss_pss_sha384", "rsa_pss_pss_sha384", SA::RSA_PSS_PSS, HA::SHA384,
     P(SigKind::RSA_PSS, HashAlg::SHA384), KeyType::RSA_PSS, true},
    {0x080b, "rsa_pss_pss_sha512", "rsa_pss_pss_sha512", SA::RSA_PSS_PSS, HA::SHA512,
     P(SigKind::RSA_PSS, HashAlg::SHA512), KeyType::RSA_PSS, true},
    {0x0807, "ed25519", "ed25519", SA::ED25519, HA::None, P(SigKind::ED25519, HashAlg::SHA512),
     KeyType::ED25519, true},
    // Certificate-chain-only schemes in TLS 1.3 (RFC 8446 4.2.3).
    {0x0401, "rsa_pkcs1_sha256", "rsa_pkcs1_sha256", SA::RSA_PKCS1, HA::SHA256,
     P(SigKind::RSA_PKCS1, HashAlg::SHA256), KeyType::Unknown, true},
    {0x0501, "rsa_pkcs1_sha384", "rsa_pkcs1_sha384", SA::RSA_PKCS1, HA::SHA384,
     P(SigKind::RSA_PKCS1, HashAlg::SHA384), KeyType::Unknown, true},
    {0x0601, "rsa_pkcs1_sha512", "rsa_pkcs1_sha512", SA::RSA_PKCS1, HA::SHA512,
     P(SigKind::RSA_PKCS1, HashAlg::SHA512), KeyType::Unknown, true},
    {0x0201, "rsa_pkcs1_sha1", "rsa_pkcs1_sha1", SA::RSA_PKCS1, HA::SHA1,
     P(SigKind::RSA_PKCS1, HashAlg::SHA1), KeyType::Unknown, true},
    {0x0203, "ecdsa_sha1", "ecdsa_sha1", SA::ECDSA, HA::SHA1, P(SigKind::ECDSA, HashAlg::SHA1),
     KeyType::Unknown, true},
    {0x0301, "legacy_rsa_sha224", "rsa_sha224", SA::RSA_PKCS1, HA::SHA224,
     P(SigKind::RSA_PKCS1, HashAlg::SHA224), KeyType::Unknown, true},
    {0x0303, "legacy_ecdsa_sha224", "ecdsa_sha224", SA::ECDSA, HA::SHA224,
     P(SigKind::ECDSA, HashAlg::SHA224), KeyType::Unknown, true},
};

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

bool scheme_fits_key_13(const SigScheme& scheme, crypto::KeyType key) {
  return scheme.tls13_key != KeyType::Unknown && scheme.tls13_key == key;
}

}  // namespace snr::policy
