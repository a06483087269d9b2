#include "core/cert_policy.hpp"

#include <algorithm>
#include <optional>
#include <string>

#include "crypto/cert_sig.hpp"
#include "util/error_code.hpp"

namespace snr::detail {

namespace {

using policy::CertKey;

// The policy's name for a key, when it has one.
std::optional<CertKey> cert_key_of(crypto::KeyType type, size_t bits) {
  switch (type) {
    case crypto::KeyType::RSA:
      if (bits == 1024) return CertKey::RSA_1024;
      if (bits == 2048) return CertKey::RSA_2048;
      if (bits == 3072) return CertKey::RSA_3072;
      if (bits == 4096) return CertKey::RSA_4096;
      return std::nullopt;
    case crypto::KeyType::RSA_PSS:
      if (bits == 2048) return CertKey::RSA_PSS_2048;
      if (bits == 3072) return CertKey::RSA_PSS_3072;
      if (bits == 4096) return CertKey::RSA_PSS_4096;
      return std::nullopt;
    case crypto::KeyType::EC_P256:
      return CertKey::ECDSA_P256;
    case crypto::KeyType::EC_P384:
      return CertKey::ECDSA_P384;
    case crypto::KeyType::EC_P521:
      return CertKey::ECDSA_P521;
    case crypto::KeyType::ED25519:
    case crypto::KeyType::Unknown:
      break;
  }
  return std::nullopt;
}

Error incompatible(const PolicyData& policy, size_t index, const std::string& why) {
  return make_error(Err::SECURITY_POLICY_INCOMPATIBLE_CERT,
                    "certificate " + std::to_string(index) + " of the chain: " + why + " (policy " +
                        std::string(policy.name) + ")");
}

}  // namespace

Status check_local_chain(const PolicyData& policy, const CertifiedKey& chain) {
  if (!policy.cert_prefs_apply_locally) return {};
  for (size_t i = 0; i < chain.chain_der.size(); ++i) {
    const Bytes& der = chain.chain_der[i];
    if (!policy.cert_keys.empty()) {
      SNR_TRY_ASSIGN(crypto::PublicKey key, crypto::PublicKey::from_certificate(der));
      const std::optional<CertKey> k = cert_key_of(key.type(), key.bits());
      if (!k ||
          std::find(policy.cert_keys.begin(), policy.cert_keys.end(), *k) == policy.cert_keys.end())
        return incompatible(policy, i,
                            std::string(crypto::to_string(key.type())) + " " +
                                std::to_string(key.bits()) + "-bit key not allowed");
    }
    if (!policy.cert_sig_schemes.empty()) {
      SNR_TRY_ASSIGN(crypto::CertSignature sig, crypto::certificate_signature(der));
      if (sig.self_signed) continue;
      const bool allowed = std::any_of(sig.schemes.begin(), sig.schemes.end(), [&](uint16_t s) {
        return std::find(policy.cert_sig_schemes.begin(), policy.cert_sig_schemes.end(), s) !=
               policy.cert_sig_schemes.end();
      });
      if (!allowed) return incompatible(policy, i, "signature algorithm not allowed");
    }
  }
  return {};
}

Status check_local_chains(const PolicyData& policy, const ConfigData& config) {
  if (!policy.cert_prefs_apply_locally) return {};
  if (config.cert) SNR_TRY(check_local_chain(policy, *config.cert));
  for (const auto& c : config.chains.chains()) SNR_TRY(check_local_chain(policy, *c));
  return {};
}

}  // namespace snr::detail
