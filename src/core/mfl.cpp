// Config::Builder's max_fragment_length settings (RFC 6066 4). The negotiation is in
// hs/mfl.cpp; the record limits it sets are enforced by record::RecordLayer.
#include "hs/config_data.hpp"
#include "snr/config.hpp"
#include "util/error_code.hpp"

namespace snr {

Status Config::Builder::send_max_fragment_length(MaxFragmentLength length) {
  SNR_ENSURE(!built_ && data_, Err::INVALID_STATE);
  const auto code = static_cast<uint8_t>(length);
  SNR_ENSURE(code >= 1 && code <= 4, Err::INVALID_ARGUMENT);
  data_->send_mfl = code;
  return {};
}

Status Config::Builder::accept_max_fragment_length() {
  SNR_ENSURE(!built_ && data_, Err::INVALID_STATE);
  data_->accept_mfl = true;
  return {};
}

}  // namespace snr
