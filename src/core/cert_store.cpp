// snr::cert_chain::Builder and the Config::Builder calls that load its chains (SPEC 6.15);
// the index and the choice itself are in hs/cert_select.
#include <vector>

#include "core/cert_policy.hpp"
#include "hs/cert_select.hpp"
#include "hs/config_data.hpp"
#include "snr/cert_chain.hpp"
#include "snr/config.hpp"
#include "util/error_code.hpp"

namespace snr {
namespace cert_chain {

Builder::Builder() = default;
Builder::Builder(Builder&&) noexcept = default;
Builder& Builder::operator=(Builder&&) noexcept = default;
Builder::~Builder() = default;

Status Builder::load_pem(std::string_view chain_pem, std::string_view private_key_pem) {
  SNR_ENSURE(!built_ && !pending_, Err::INVALID_STATE);
  // An empty key here would silently make a public-only chain.
  SNR_ENSURE(!private_key_pem.empty(), Err::INVALID_ARGUMENT);
  SNR_TRY_ASSIGN(detail::CertifiedKey c, detail::make_certified_key(chain_pem, private_key_pem));
  pending_ = std::make_unique<detail::CertifiedKey>(std::move(c));
  return {};
}

Status Builder::load_public_pem(std::string_view chain_pem) {
  SNR_ENSURE(!built_ && !pending_, Err::INVALID_STATE);
  SNR_TRY_ASSIGN(detail::CertifiedKey c, detail::make_certified_key(chain_pem, {}));
  pending_ = std::make_unique<detail::CertifiedKey>(std::move(c));
  return {};
}

Status Builder::set_ocsp_data(std::span<const uint8_t> der) {
  SNR_ENSURE(!built_ && pending_, Err::INVALID_STATE);
  SNR_ENSURE(!der.empty(), Err::INVALID_ARGUMENT);
  pending_->ocsp_response.assign(der.begin(), der.end());
  return {};
}

Result<CertificateChain> Builder::build() {
  SNR_ENSURE(!built_ && pending_, Err::INVALID_STATE);
  built_ = true;
  // The server's copy (inside the CertifiedKey, what selected_cert() returns) and the
  // application's share one certificate list and context.
  auto data = std::make_shared<CertificateChain::Data>();
  for (const Certificate& c : pending_->chain) data->certs.push_back(c);
  data->context = std::move(context_);
  pending_->chain.data_ = data;
  std::shared_ptr<const detail::CertifiedKey> key = std::move(pending_);
  CertificateChain out;
  out.data_ = std::move(data);
  out.key_ = std::move(key);
  return out;
}

}  // namespace cert_chain

Status Config::Builder::load_chain(const CertificateChain& chain) {
  SNR_ENSURE(!built_ && data_, Err::INVALID_STATE);
  SNR_ENSURE(!data_->cert, Err::CERT_OWNERSHIP);
  const auto& key = detail::ChainAccess::key(chain);
  if (key == nullptr) return make_error(Err::INVALID_ARGUMENT, "not a cert_chain::Builder chain");
  SNR_TRY(detail::check_local_chain(*data_->policy, *key));
  return data_->chains.add(key);
}

Status Config::Builder::set_default_chains(std::span<const CertificateChain> chains) {
  SNR_ENSURE(!built_ && data_, Err::INVALID_STATE);
  SNR_ENSURE(!data_->cert, Err::CERT_OWNERSHIP);
  std::vector<std::shared_ptr<const detail::CertifiedKey>> keys;
  for (const CertificateChain& c : chains) {
    const auto& key = detail::ChainAccess::key(c);
    if (key == nullptr) return make_error(Err::INVALID_ARGUMENT, "not a cert_chain::Builder chain");
    SNR_TRY(detail::check_local_chain(*data_->policy, *key));
    keys.push_back(key);
  }
  return data_->chains.set_defaults(std::move(keys));
}

}  // namespace snr
