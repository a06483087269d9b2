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
  Version min_version;            // TLS 1.3 suites: TLS13 (and only TLS 1.3)
  KeyExchange kx;
  Auth auth;
  BulkCipher cipher;
  crypto::HashAlg mac;   // record HMAC for CBC and stream ciphers; unused with AEAD
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
  bool implemented;
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
  bool implemented;
};

const CipherSuite* find_suite(uint16_t iana);
const CipherSuite* find_suite_by_name(std::string_view iana_name);
const Group* find_group(uint16_t iana);
const Group* find_group_by_name(std::string_view name);
const SigScheme* find_sig_scheme(uint16_t iana);
const SigScheme* find_sig_scheme_by_name(std::string_view name);

// True when a TLS 1.3 CertificateVerify with `scheme` can be made/checked with a key of `key`.
bool scheme_fits_key_13(const SigScheme& scheme, crypto::KeyType key);

}  // namespace snr::policy
