// Server certificate selection by SNI (SPEC 6.15): the per-Config index of chains by name
// and key type, and the choice a server's hello step makes from it.
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/pkey.hpp"
#include "snr/cert_chain.hpp"
#include "snr/enums.hpp"
#include "snr/error.hpp"

namespace snr::hs {
struct Handshake;
}
namespace snr::policy {
struct SigScheme;
}

namespace snr::detail {

struct CertifiedKey;

// Reaches the key a cert_chain::Builder chain carries.
struct ChainAccess {
  static const std::shared_ptr<const CertifiedKey>& key(const CertificateChain& c) {
    return c.key_;
  }
};

// A chain with its key from PEM (`key_pem` empty: public only, the private key callback
// signs), as cert_chain::Builder loads it.
Result<CertifiedKey> make_certified_key(std::string_view chain_pem, std::string_view key_pem);

std::string lower_ascii(std::string_view s);

// Selection is per key type, as s2n's: RSA, RSA-PSS, ECDSA (any curve), Ed25519.
inline constexpr size_t kCertSlots = 4;
std::optional<size_t> cert_slot(crypto::KeyType type);
using CertSet = std::array<const CertifiedKey*, kCertSlots>;

class CertStore {
 public:
  // Config::Builder::load_chain. The first chain per key type is that type's default unless
  // defaults are set explicitly.
  Status add(std::shared_ptr<const CertifiedKey> chain);
  // Config::Builder::set_default_chains: replaces all the defaults.
  Status set_defaults(std::vector<std::shared_ptr<const CertifiedKey>> chains);
  // Config::Builder::build: indexes every chain by name. `library_owned` (the load_pem
  // chain, null if none) lives in the ConfigData, beside this store.
  Status index(const CertifiedKey* library_owned);

  bool has_app_chains() const { return !owned_.empty(); }
  // Any chain without a private key (after index).
  bool any_without_key() const;
  // `name` lower-case; null without a chain for it.
  const CertSet* find(std::string_view name) const;
  const CertSet& defaults() const { return defaults_; }
  // The load_chain chains, in load order (also before index).
  const std::vector<std::shared_ptr<const CertifiedKey>>& chains() const { return owned_; }
  // Every indexed chain: the load_pem one first, then load_chain order (after index).
  const std::vector<const CertifiedKey*>& all() const { return all_; }

 private:
  std::vector<std::shared_ptr<const CertifiedKey>> owned_;  // load_chain order
  std::vector<const CertifiedKey*> all_;                    // indexed: the above and load_pem's
  CertSet defaults_{};
  bool explicit_defaults_ = false;
  std::map<std::string, CertSet, std::less<>> names_;
};

}  // namespace snr::detail

namespace snr::hs {

// How much a server wants to use `cert` in this handshake: nullopt when it cannot (no
// signature scheme / suite fits), else the rank of the best choice it allows (lower: the
// server's policy prefers it).
using CertRank = std::function<std::optional<size_t>(const detail::CertifiedKey& cert)>;

// Picks the server's chain for the client's server_name (`sni`, empty: none): the exact
// name's chains, else the "*.<parent>" chains, else the defaults; the first of these sets
// with a usable chain wins, and within it the best-ranked chain (ties: RSA, RSA-PSS, ECDSA,
// Ed25519). Sets hs.cert and hs.out->cert_match. When nothing is usable hs.cert is the first
// default (null without any chain), so the version's own checks fail the handshake as they
// do with a single certificate.
void select_server_cert(Handshake& hs, std::string_view sni, const CertRank& rank);

// TLS 1.3's rank: where the scheme chosen for a chain stands in the server's preferences
// (nullopt when none was).
std::optional<size_t> scheme_rank(const Handshake& hs,
                                  const Result<const policy::SigScheme*>& chosen);

// The chain was picked by the client's name (exact or wildcard): the server acknowledges the
// name with an empty server_name (RFC 6066 3).
bool cert_matched_name(const Handshake& hs);

}  // namespace snr::hs
