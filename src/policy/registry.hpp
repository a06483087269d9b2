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

struct CipherSuite {
  uint16_t iana;
  std::string_view iana_name;     // "TLS_AES_128_GCM_SHA256"
  std::string_view openssl_name;  // what cipher_suite() reports below TLS 1.3
  Version min_version;
  bool implemented;  // false: known by name (policies list it) but not negotiable yet
  crypto::AeadAlg aead;
  crypto::HashAlg hash;
};

struct Group {
  uint16_t iana;
  std::string_view name;  // "x25519", "secp256r1", ...
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
