// Stapled OCSP responses (RFC 6960) checked with libcrypto: the response is signed by the
// certificate's issuer or by a responder the issuer delegated to, vouches for this very
// certificate, says "good", and is current.
#pragma once

#include <cstdint>
#include <vector>

#include "snr/error.hpp"
#include "util/bytes.hpp"

namespace snr::crypto {

struct OcspCheck {
  // The validated path, leaf first, trust anchor last (verify_chain's result).
  std::vector<ByteView> path;
  uint64_t time_seconds = 0;  // validation time (Unix seconds); 0 = now
};

// Err::CERT_REVOKED when the response says the leaf is revoked; Err::INVALID_OCSP_RESPONSE
// when it cannot be decoded, was not successful, is not signed by an authorized responder,
// has no status for the leaf, says "unknown", or is outside its thisUpdate/nextUpdate window.
Status check_ocsp_response(ByteView der, const OcspCheck& check);

}  // namespace snr::crypto
