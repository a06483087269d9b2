#pragma once

#include "snr/error.hpp"
#include "util/bytes.hpp"

namespace snr::crypto {

// Fills out with cryptographically secure random bytes (Err::RANDOM on failure).
Status random_bytes(MutByteView out);

}  // namespace snr::crypto
