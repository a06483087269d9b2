// The contents of a built snr::Config, as the handshake reads them.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "crypto/pkey.hpp"
#include "crypto/x509.hpp"
#include "policy/policy_data.hpp"
#include "snr/callbacks.hpp"
#include "snr/cert_chain.hpp"

namespace snr::crypto {
class DhParams;
}

namespace snr::detail {

// A certificate chain with its private key (what a server presents).
struct CertifiedKey {
  std::vector<Bytes> chain_der;  // leaf first
  CertificateChain chain;
  crypto::PrivateKey key;
  crypto::KeyType key_type;
};

struct ConfigData {
  const PolicyData* policy = nullptr;
  std::optional<CertifiedKey> cert;
  std::shared_ptr<const crypto::DhParams> dh_params;  // for the DHE suites
  std::vector<Bytes> alpn;                            // ALPN preferences
  std::shared_ptr<crypto::TrustStore> trust;
  bool system_certs = true;
  bool verify_x509 = true;
  uint16_t max_chain_depth = 7;
  VerifyHostNameCallback verify_host;
  KeyLogCallback key_log;
  WallClock wall_clock;
};

}  // namespace snr::detail
