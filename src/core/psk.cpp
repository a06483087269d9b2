#include "snr/psk.hpp"

#include "hs/psk_data.hpp"
#include "util/error_code.hpp"

namespace snr {

Psk::Builder Psk::builder() { return Builder(); }

std::span<const uint8_t> Psk::identity() const { return data_->identity; }

PskHmac Psk::hmac() const {
  return data_->hash == crypto::HashAlg::SHA384 ? PskHmac::SHA384 : PskHmac::SHA256;
}

Psk::Builder::Builder() : data_(std::make_shared<detail::PskData>()) {}
Psk::Builder::Builder(Builder&&) noexcept = default;
Psk::Builder& Psk::Builder::operator=(Builder&&) noexcept = default;
Psk::Builder::~Builder() = default;

Status Psk::Builder::set_identity(std::span<const uint8_t> identity) {
  SNR_ENSURE(data_, Err::INVALID_STATE);
  SNR_ENSURE(!identity.empty() && identity.size() <= 0xffff, Err::INVALID_PSK);
  data_->identity.assign(identity.begin(), identity.end());
  return {};
}

Status Psk::Builder::set_secret(std::span<const uint8_t> secret) {
  SNR_ENSURE(data_, Err::INVALID_STATE);
  SNR_ENSURE(secret.size() >= 16 && secret.size() <= 0xffff, Err::INVALID_PSK);
  data_->secret = SecureBytes(secret);
  return {};
}

Status Psk::Builder::set_hmac(PskHmac hmac) {
  SNR_ENSURE(data_, Err::INVALID_STATE);
  data_->hash = hmac == PskHmac::SHA384 ? crypto::HashAlg::SHA384 : crypto::HashAlg::SHA256;
  has_hmac_ = true;
  return {};
}

Result<Psk> Psk::Builder::build() {
  SNR_ENSURE(data_, Err::INVALID_STATE);
  SNR_ENSURE(!data_->identity.empty() && !data_->secret.empty() && has_hmac_, Err::INVALID_PSK);
  return Psk(std::shared_ptr<const detail::PskData>(std::move(data_)));
}

}  // namespace snr
