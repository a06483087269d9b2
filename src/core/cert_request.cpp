// The client's certificate request callback (s2n's unstable set_certificate_request_callback):
// the application picks the chain that answers a server's CertificateRequest.
#include "core/connection_state.hpp"
#include "hs/cert_select.hpp"
#include "hs/config_data.hpp"
#include "util/error_code.hpp"

namespace snr {

Status CertificateRequest::set_certificate(const CertificateChain& chain) {
  // Only a chain made with its key can answer: the handshake signs with it.
  if (detail::ChainAccess::key(chain) == nullptr)
    return make_error(Err::INVALID_ARGUMENT, "not a cert_chain::Builder chain");
  chain_ = chain;
  return {};
}

Status Config::Builder::set_certificate_request_callback(CertificateRequestCallback cb) {
  SNR_ENSURE(!built_ && data_, Err::INVALID_STATE);
  data_->cert_request_cb = std::move(cb);
  return {};
}

namespace detail {

Result<const CertifiedKey*> ConnectionState::certificate_request(
    std::span<const uint16_t> schemes, std::span<const Bytes> authorities) {
  // Copied: the callback may release the config that holds it (set_config fails mid-
  // handshake, but the copy costs little and keeps this safe).
  const CertificateRequestCallback cb = config->data().cert_request_cb;
  if (!cb) return nullptr;
  CertificateRequest request(schemes, authorities);
  if (!cb(*owner, request))
    return make_error(Err::CANCELLED, "the certificate request callback failed");
  const CertificateChain* chain = request.certificate();
  if (chain == nullptr) return nullptr;
  requested_chain = ChainAccess::key(*chain);
  return requested_chain.get();
}

}  // namespace detail

}  // namespace snr
