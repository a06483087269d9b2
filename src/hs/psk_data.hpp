// What an external PSK holds (behind snr::Psk).
#pragma once

#include "crypto/hash.hpp"
#include "util/bytes.hpp"

namespace snr::detail {

struct PskData {
  Bytes identity;
  SecureBytes secret;
  crypto::HashAlg hash = crypto::HashAlg::SHA256;
};

}  // namespace snr::detail
