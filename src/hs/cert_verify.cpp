// Peer certificate acceptance: chain validation through libcrypto, then the host-name check.
#include <chrono>

#include "hs/common13.hpp"
#include "hs/hostname.hpp"
#include "util/error_code.hpp"

namespace snr::hs {

Status accept_peer_certificates(Handshake& hs, const msg::Certificate& cert) {
  // RFC 8446 4.4.2.4: an empty server Certificate is a decode_error (the server handles an
  // empty client Certificate before calling this).
  SNR_ENSURE(!cert.entries.empty(), Err::EMPTY_CERTIFICATE);
  const detail::ConfigData& cfg = *hs.settings.config;
  // Bounded before any certificate is decoded, whether or not the chain is verified.
  SNR_ENSURE(cert.entries.size() <= cfg.limits.max_cert_chain_length,
             Err::CERT_MAX_CHAIN_DEPTH_EXCEEDED);

  std::vector<ByteView> chain;
  chain.reserve(cert.entries.size());
  for (const msg::CertificateEntry& e : cert.entries) chain.emplace_back(e.cert_data);

  std::vector<Certificate> kept;
  std::optional<crypto::PublicKey> key;
  if (cfg.verify_x509) {
    // s2n's depth counts every certificate of the validated path, leaf and trust anchor
    // included. A sent chain already over the limit fails before any signature work.
    SNR_ENSURE(chain.size() <= cfg.max_chain_depth, Err::CERT_MAX_CHAIN_DEPTH_EXCEEDED);
    crypto::ChainCheck check;
    check.store = cfg.trust.get();
    check.max_depth = cfg.max_chain_depth;
    if (cfg.wall_clock) check.time_seconds = cfg.wall_clock() / 1000000000ull;
    SNR_ENSURE(check.store != nullptr, Err::CERT_UNTRUSTED);
    // One decode of the leaf serves validation, its key and its names.
    SNR_TRY_ASSIGN(crypto::ValidatedChain v, crypto::verify_chain_and_leaf(chain, check));
    SNR_ENSURE(v.path.size() <= cfg.max_chain_depth, Err::CERT_MAX_CHAIN_DEPTH_EXCEEDED);
    const VerifyHostNameCallback* cb =
        hs.settings.verify_host && *hs.settings.verify_host ? hs.settings.verify_host : nullptr;
    // A server checks a client certificate's names only through a verify-host callback. s2n
    // compares them with the server's own server_name by default, which refuses nearly every
    // real client certificate; snr deliberately diverges (SPEC 6.13).
    const bool check_names = hs.settings.mode == Mode::Client || cb != nullptr;
    if (check_names)
      SNR_ENSURE(verify_host(v.leaf_names, hs.settings.server_name, cb),
                 Err::CERT_INVALID_HOSTNAME);
    for (Bytes& der : v.path) kept.emplace_back(std::move(der));
    // SPEC 6.15: the application has the last word on a chain libcrypto accepted.
    if (hs.settings.cert_validation) SNR_TRY(hs.settings.cert_validation(kept));
    key = std::move(v.leaf_key);
  } else {
    SNR_TRY_ASSIGN(key, crypto::PublicKey::from_certificate(chain.front()));
    for (ByteView der : chain) kept.emplace_back(Bytes(der.begin(), der.end()));
  }
  SNR_ENSURE(key && key->type() != crypto::KeyType::Unknown, Err::CERT_TYPE_UNSUPPORTED);
  hs.out->peer_chain = CertificateChain(std::move(kept));
  hs.peer_key = std::move(key);
  return {};
}

}  // namespace snr::hs
