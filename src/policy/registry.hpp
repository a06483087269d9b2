// The constexpr registries: cipher suites, key-exchange groups and signature schemes, with the
// names s2n reports for them.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "crypto/aead.hpp"
#include "crypto/hash.hpp"
#include "crypto/pkey.hpp"
#include "snr/enums.hpp"

namespace snr::policy {

enum class KeyExchange : uint8_t { TLS13, ECDHE, DHE, RSA };
// Which certificate a suite needs; Any = TLS 1.3 (the signature scheme decides).
enum class Auth : uint8_t { Any, RSA, ECDSA };
enum class BulkCipher : uint8_t {
  AES_128_GCM,
  AES_256_GCM,
  CHACHA20_POLY1305,
  AES_128_CBC,
  AES_256_CBC,
  TDES_CBC,
  RC4_128,
};

struct CipherSuite {
  uint16_t iana;
  std::string_view iana_name;     // "TLS_AES_128_GCM_SHA256"
  std::string_view openssl_name;  // what cipher_suite() reports below TLS 1.3
  // Lowest version the suite works in: SSLV3 for the *_SHA and *_MD5 suites, TLS12 for the
  // SHA-256/384 CBC and all AEAD suites, TLS13 for the TLS 1.3 suites (and only TLS 1.3).
  Version min_version;
  KeyExchange kx;
  Auth auth;
  BulkCipher cipher;
  crypto::HashAlg mac;   // record HMAC for CBC and stream ciphers; AEAD suites: equal to `hash`
  crypto::HashAlg hash;  // TLS 1.3 HKDF hash; TLS 1.2 PRF hash
  bool implemented;      // false: policies name it, snr does not negotiate it

  bool is_tls13() const { return kx == KeyExchange::TLS13; }
  bool is_aead() const {
    return cipher == BulkCipher::AES_128_GCM || cipher == BulkCipher::AES_256_GCM ||
           cipher == BulkCipher::CHACHA20_POLY1305;
  }
  // Only for AEAD suites.
  crypto::AeadAlg aead() const {
    return cipher == BulkCipher::AES_256_GCM         ? crypto::AeadAlg::AES_256_GCM
           : cipher == BulkCipher::CHACHA20_POLY1305 ? crypto::AeadAlg::CHACHA20_POLY1305
                                                     : crypto::AeadAlg::AES_128_GCM;
  }
};

enum class GroupKind : uint8_t { ECDHE, KEM, HYBRID };

struct Group {
  uint16_t iana;
  std::string_view name;  // "x25519", "secp256r1", "X25519MLKEM768", ...
  GroupKind kind;
  bool implemented;  // false: policies name it, snr computes no key share for it
};

struct SigScheme {
  uint16_t iana;
  std::string_view name;       // s2n's name: "ecdsa_sha256", "rsa_pss_rsae_sha256", ...
  std::string_view iana_name;  // "ecdsa_secp256r1_sha256", ...
  SignatureAlgorithm sig_alg;
  HashAlgorithm hash_alg;
  crypto::SigParams params;
  // The key type a TLS 1.3 CertificateVerify with this scheme needs (ECDSA schemes bind the
  // curve in TLS 1.3); Unknown = not usable in a TLS 1.3 CertificateVerify.
  crypto::KeyType tls13_key;
  // false (ML-DSA, the TLS 1.0/1.1 MD5+SHA-1 signature): policies name it, but snr never offers
  // or accepts it as a scheme; ML-DSA rows carry placeholder `params`.
  bool implemented;
};

// legacy_rsa_md5_sha1 is the fixed RSA signature of TLS 1.0/1.1 and has no code point. The
// registry files it under 0xFFFF, inside the private-use range (0xFE00-0xFFFF) that IANA never
// assigns, so it cannot shadow a real scheme; it is not implemented, so it is never put on the
// wire nor matched against what a peer sends.
inline constexpr uint16_t kSchemeLegacyRsaMd5Sha1 = 0xFFFF;
// snr's addition to some policies (see policies.cpp).
inline constexpr uint16_t kSchemeEd25519 = 0x0807;

const CipherSuite* find_suite(uint16_t iana);
const CipherSuite* find_suite_by_name(std::string_view iana_name);
const Group* find_group(uint16_t iana);
const Group* find_group_by_name(std::string_view name);
const SigScheme* find_sig_scheme(uint16_t iana);
const SigScheme* find_sig_scheme_by_name(std::string_view name);

// Every row, in IANA order (the legacy MD5+SHA-1 scheme last).
std::span<const CipherSuite> all_suites();
std::span<const Group> all_groups();
std::span<const SigScheme> all_sig_schemes();

// True when a TLS 1.3 CertificateVerify with `scheme` can be made/checked with a key of `key`.
bool scheme_fits_key_13(const SigScheme& scheme, crypto::KeyType key);

}  // namespace snr::policy
