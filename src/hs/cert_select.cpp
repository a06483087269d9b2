#include "hs/cert_select.hpp"

#include <algorithm>

#include "crypto/x509.hpp"
#include "hs/config_data.hpp"
#include "hs/handshake.hpp"
#include "hs/hostname.hpp"
#include "policy/registry.hpp"
#include "util/error_code.hpp"
#include "util/small_vector.hpp"

namespace snr::detail {

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

namespace {

// The names a chain is found by: its leaf's SAN DNS names, or its CN when it has none.
Result<std::vector<std::string>> names_of(const CertifiedKey& c) {
  if (c.chain_der.empty()) return make_error(Err::INVALID_ARGUMENT, "empty chain");
  SNR_TRY_ASSIGN(crypto::CertNames names, crypto::certificate_names(c.chain_der.front()));
  std::vector<std::string> out;
  if (names.dns.empty()) {
    if (!names.common_name.empty()) out.push_back(lower_ascii(names.common_name));
  } else {
    for (const std::string& n : names.dns) out.push_back(lower_ascii(n));
  }
  return out;
}

}  // namespace

Result<CertifiedKey> make_certified_key(std::string_view chain_pem, std::string_view key_pem) {
  SNR_TRY_ASSIGN(std::vector<Bytes> chain, crypto::pem_to_der_chain(chain_pem));
  if (chain.empty()) return make_error(Err::INVALID_ARGUMENT, "no certificate in the chain PEM");
  SNR_TRY_ASSIGN(crypto::PublicKey pub, crypto::PublicKey::from_certificate(chain.front()));
  std::optional<crypto::PrivateKey> key;
  if (!key_pem.empty()) {
    SNR_TRY_ASSIGN(key, crypto::PrivateKey::from_pem(key_pem));
    SNR_ENSURE(key->matches(pub), Err::KEY_MISMATCH);
  }
  const crypto::KeyType type = pub.type();
  SNR_ENSURE(cert_slot(type).has_value(), Err::CERT_TYPE_UNSUPPORTED);
  std::vector<Certificate> certs;
  for (const Bytes& der : chain) certs.emplace_back(der);
  return CertifiedKey{std::move(chain), CertificateChain(std::move(certs)), std::move(key), type,
                      Bytes{}};
}

std::optional<size_t> cert_slot(crypto::KeyType type) {
  switch (type) {
    case crypto::KeyType::RSA:
      return 0;
    case crypto::KeyType::RSA_PSS:
      return 1;
    case crypto::KeyType::EC_P256:
    case crypto::KeyType::EC_P384:
    case crypto::KeyType::EC_P521:
      return 2;
    case crypto::KeyType::ED25519:
      return 3;
    case crypto::KeyType::Unknown:
      break;
  }
  return std::nullopt;
}

Status CertStore::add(std::shared_ptr<const CertifiedKey> chain) {
  if (chain == nullptr) return make_error(Err::INVALID_ARGUMENT, "chain without a key");
  std::optional<size_t> slot = cert_slot(chain->key_type);
  SNR_ENSURE(slot.has_value(), Err::CERT_TYPE_UNSUPPORTED);
  // The same chain twice adds nothing (set_default_chains also loads its chains).
  if (std::find(owned_.begin(), owned_.end(), chain) != owned_.end()) return {};
  if (!explicit_defaults_ && defaults_[*slot] == nullptr) defaults_[*slot] = chain.get();
  owned_.push_back(std::move(chain));
  return {};
}

Status CertStore::set_defaults(std::vector<std::shared_ptr<const CertifiedKey>> chains) {
  if (chains.empty() || chains.size() > kCertSlots)
    return make_error(Err::INVALID_ARGUMENT, "one to four default chains");
  CertSet next{};
  for (const auto& c : chains) {
    if (c == nullptr) return make_error(Err::INVALID_ARGUMENT, "chain without a key");
    std::optional<size_t> slot = cert_slot(c->key_type);
    SNR_ENSURE(slot.has_value(), Err::CERT_TYPE_UNSUPPORTED);
    if (next[*slot] != nullptr)
      return make_error(Err::INVALID_ARGUMENT, "two default chains of one type");
    next[*slot] = c.get();
  }
  for (auto& c : chains) SNR_TRY(add(std::move(c)));
  defaults_ = next;
  explicit_defaults_ = true;
  return {};
}

Status CertStore::index(const CertifiedKey* library_owned) {
  all_.clear();
  names_.clear();
  if (library_owned != nullptr) {
    all_.push_back(library_owned);
    std::optional<size_t> slot = cert_slot(library_owned->key_type);
    SNR_ENSURE(slot.has_value(), Err::CERT_TYPE_UNSUPPORTED);
    defaults_[*slot] = library_owned;
  }
  for (const auto& c : owned_) all_.push_back(c.get());
  for (const CertifiedKey* c : all_) {
    // A leaf whose names cannot be read is still a default.
    Result<std::vector<std::string>> names = names_of(*c);
    if (!names.ok()) continue;
    const size_t slot = *cert_slot(c->key_type);
    for (std::string& n : *names) {
      CertSet& set = names_[std::move(n)];
      // One chain per (name, key type): the first one loaded keeps the name.
      if (set[slot] == nullptr) set[slot] = c;
    }
  }
  return {};
}

bool CertStore::any_without_key() const {
  return std::any_of(all_.begin(), all_.end(),
                     [](const CertifiedKey* c) { return !c->key.has_value(); });
}

const CertSet* CertStore::find(std::string_view name) const {
  auto it = names_.find(name);
  return it == names_.end() ? nullptr : &it->second;
}

}  // namespace snr::detail

namespace snr::hs {

void select_server_cert(Handshake& hs, std::string_view sni, const CertRank& rank) {
  const detail::CertStore& store = hs.settings.config->chains;
  // Some clients send "example.com." (against RFC 6066 3): it names the same host.
  const std::string name = detail::lower_ascii(sni_host_name(sni));
  struct Tier {
    const detail::CertSet* set = nullptr;
    CertSNIMatch match = CertSNIMatch::NoSNI;
  };
  SmallVector<Tier, 3> tiers;  // exact, wildcard, defaults
  if (!name.empty()) {
    if (const detail::CertSet* exact = store.find(name))
      tiers.push_back({exact, CertSNIMatch::ExactMatch});
    // A wildcard stands for exactly one label: "a.example.com" -> "*.example.com".
    const size_t dot = name.find('.');
    if (dot != std::string::npos && dot > 0 && dot + 1 < name.size()) {
      const std::string wildcard = "*" + name.substr(dot);
      if (const detail::CertSet* w = store.find(wildcard))
        tiers.push_back({w, CertSNIMatch::WildcardMatch});
    }
  }
  const CertSNIMatch no_match = name.empty() ? CertSNIMatch::NoSNI : CertSNIMatch::NoMatch;
  tiers.push_back({&store.defaults(), no_match});

  for (const Tier& t : tiers) {
    const detail::CertifiedKey* best = nullptr;
    size_t best_rank = 0;
    for (const detail::CertifiedKey* c : *t.set) {
      if (c == nullptr) continue;
      std::optional<size_t> r = rank(*c);
      if (r && (best == nullptr || *r < best_rank)) {
        best = c;
        best_rank = *r;
      }
    }
    if (best != nullptr) {
      hs.cert = best;
      hs.out->cert_match = t.match;
      return;
    }
  }
  // Nothing fits this client: the first default stays, so the version's own checks fail the
  // handshake the way they do for a single certificate.
  hs.cert = nullptr;
  for (const detail::CertifiedKey* c : store.defaults()) {
    if (c != nullptr) {
      hs.cert = c;
      break;
    }
  }
  hs.out->cert_match = no_match;
}

std::optional<size_t> scheme_rank(const Handshake& hs,
                                  const Result<const policy::SigScheme*>& chosen) {
  if (!chosen.ok()) return std::nullopt;
  const auto& prefs = hs.settings.policy->sig_schemes;
  auto it = std::find(prefs.begin(), prefs.end(), chosen.value()->iana);
  if (it == prefs.end()) return std::nullopt;
  return static_cast<size_t>(it - prefs.begin());
}

bool cert_matched_name(const Handshake& hs) {
  return hs.out->cert_match == CertSNIMatch::ExactMatch ||
         hs.out->cert_match == CertSNIMatch::WildcardMatch;
}

}  // namespace snr::hs
