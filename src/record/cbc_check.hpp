// The padding and MAC check of a decrypted TLS 1.0-1.2 CBC record (RFC 5246 6.2.3.2),
// defined in protection12.cpp. It is a function of its own so that the constant-time test
// (tests/ct) can run it on input it has marked secret and inspect the verdict before anything
// branches on it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "crypto/hash.hpp"
#include "snr/error.hpp"
#include "util/bytes.hpp"

namespace snr::record {

// Both fields are secret until the caller branches on `good`: which of padding or MAC failed,
// and where the content ends, must not leak before the record is accepted or rejected.
struct CbcCheck {
  size_t good = 0;     // all ones: padding and MAC are valid; zero: bad_record_mac
  size_t content = 0;  // the content length when `good`
};

// `plain` is the decrypted fragment (MAC and padding included); only its length is public.
// `mac` is the reader's HMAC; seq/type/version make up the MAC's prefix. No branch and no
// memory address depends on the padding or MAC bytes (the MAC over the secret-length content
// included). Errors: DECRYPT when `plain` cannot even hold the MAC and padding_length
// (public), libcrypto failures.
Result<CbcCheck> cbc_check_record(crypto::Hmac& mac, uint64_t seq, uint8_t type, uint16_t version,
                                  ByteView plain);

}  // namespace snr::record
