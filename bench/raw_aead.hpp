// The bound for bulk transfer: the libcrypto AEAD alone on TLS-sized records, called the
// cheapest way EVP allows (algorithm fetched once, one context re-used, only the nonce
// changes per record).
#pragma once

#include <cstdint>

#include "harness.hpp"

namespace bench {

struct AeadRates {
  double seal_mbps;  // encrypt + tag, 10^6 bytes of plaintext per second
  double open_mbps;  // decrypt + tag check
};

AeadRates measure_raw_aead(Cipher cipher, uint64_t total, size_t record);

}  // namespace bench
