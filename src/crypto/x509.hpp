// X.509: PEM decoding, the trust store, chain validation, names in certificates.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/pkey.hpp"
#include "snr/error.hpp"
#include "util/bytes.hpp"

namespace snr::crypto {

class ChainCache;

// All certificates of a PEM text, in order, as DER. Err::DECODE_CERTIFICATE when there are
// none or one is malformed.
Result<std::vector<Bytes>> pem_to_der_chain(std::string_view pem);

// One-line subject ("CN=localhost, O=snr"), empty when the DER cannot be parsed.
std::string certificate_subject(ByteView der);

// A set of trust anchors (an X509_STORE), built once per Config and shared by connections.
class TrustStore {
 public:
  static Result<std::shared_ptr<TrustStore>> create();
  ~TrustStore();
  TrustStore(const TrustStore&) = delete;
  TrustStore& operator=(const TrustStore&) = delete;

  Status add_pem(std::string_view pem);
  // A CA file and/or a hashed directory; empty strings are skipped.
  Status add_location(std::string_view file, std::string_view dir);
  // The system's default CA locations (as OpenSSL is configured).
  Status add_system();
  bool empty() const { return count_ == 0 && !has_dirs_; }
  // The DER subject names of the certificates loaded into the store (not those of a hashed
  // directory, which OpenSSL reads only on demand), duplicates removed, while their total
  // size (each with a 2-byte length) stays within `max_total` bytes.
  std::vector<Bytes> subject_names(size_t max_total) const;
  void* native() const { return store_; }  // X509_STORE*
  // Chains this store validated recently (verify_chain_and_leaf), emptied when it changes.
  ChainCache& chain_cache() const { return *cache_; }

 private:
  explicit TrustStore(void* store);
  void* store_;
  size_t count_ = 0;
  bool has_dirs_ = false;
  std::unique_ptr<ChainCache> cache_;
};

struct ChainCheck {
  const TrustStore* store = nullptr;
  int max_depth = 7;          // certificates allowed above the leaf
  uint64_t time_seconds = 0;  // validation time (Unix seconds); 0 = now
};

// Validates `chain` (leaf first, as sent by the peer) up to a trust anchor in the store:
// signatures, validity dates, CA/path-length rules, depth. Returns the validated path, leaf
// first, including the trust anchor. Failures: CERT_UNTRUSTED (no path to an anchor),
// CERT_EXPIRED, CERT_NOT_YET_VALID, CERT_MAX_CHAIN_DEPTH_EXCEEDED,
// CERT_UNHANDLED_CRITICAL_EXTENSION, CERT_INVALID (anything else, detail = OpenSSL's text).
Result<std::vector<Bytes>> verify_chain(const std::vector<ByteView>& chain,
                                        const ChainCheck& check);

// The names a host-name check looks at.
struct CertNames {
  std::vector<std::string> dns;  // SAN dNSName entries
  std::vector<std::string> ips;  // SAN iPAddress entries, as text ("127.0.0.1", "::1")
  std::string common_name;       // the subject's last CN, if any
};
Result<CertNames> certificate_names(ByteView der);

// verify_chain, plus the leaf's public key and names taken from the same decode: decoding a
// certificate (its public key above all) is a large share of a client handshake. A chain the
// same store validated before with the same depth, still inside the validity window of every
// certificate on its path, is answered from the store's ChainCache without decoding.
struct ValidatedChain {
  std::vector<Bytes> path;
  std::optional<PublicKey> leaf_key;
  CertNames leaf_names;
};
Result<ValidatedChain> verify_chain_and_leaf(const std::vector<ByteView>& chain,
                                             const ChainCheck& check);

}  // namespace snr::crypto
