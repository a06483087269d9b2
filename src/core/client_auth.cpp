// snr::Connection: client authentication (SPEC 6.13).
#include "core/connection_state.hpp"
#include "util/error_code.hpp"

namespace snr {

namespace detail {

ClientAuthType client_auth_type(const ConnectionState& s) {
  if (s.client_auth) return *s.client_auth;
  if (s.config && s.config->data().client_auth) return *s.config->data().client_auth;
  // s2n's defaults: a server asks for nothing; a client answers a request (with an empty
  // Certificate when it has none).
  return s.mode == Mode::Server ? ClientAuthType::None : ClientAuthType::Optional;
}

Result<SignatureAlgorithm> signature_algorithm_of(const policy::SigScheme* scheme) {
  SNR_ENSURE(scheme != nullptr, Err::NOT_NEGOTIATED);
  return scheme->sig_alg;
}

Result<HashAlgorithm> hash_algorithm_of(const policy::SigScheme* scheme) {
  SNR_ENSURE(scheme != nullptr, Err::NOT_NEGOTIATED);
  return scheme->hash_alg;
}

}  // namespace detail

Status Connection::set_client_auth_type(ClientAuthType type) {
  SNR_ENSURE(!s_->hs && !s_->complete && !s_->failed, Err::INVALID_STATE);
  s_->client_auth = type;
  return {};
}

bool Connection::client_cert_used() const {
  const uint32_t f = s_->neg.flags;
  return s_->complete && (f & hs::flag::CLIENT_AUTH) != 0 && (f & hs::flag::NO_CLIENT_CERT) == 0;
}

Result<std::span<const uint8_t>> Connection::client_cert_chain_bytes() const {
  SNR_ENSURE(s_->complete, Err::NOT_NEGOTIATED);
  return std::span<const uint8_t>(s_->neg.client_cert_chain);
}

Result<SignatureAlgorithm> Connection::selected_client_signature_algorithm() const {
  return detail::signature_algorithm_of(s_->neg.client_sig_scheme);
}

Result<HashAlgorithm> Connection::selected_client_hash_algorithm() const {
  return detail::hash_algorithm_of(s_->neg.client_sig_scheme);
}

}  // namespace snr
