// Internal to src/crypto: EVP_CIPHER objects fetched once per process (an implicit fetch on
// every init is OpenSSL 3's main slowdown).
#pragma once

#include <openssl/evp.h>

namespace snr::crypto {

enum class CipherId : unsigned char {
  AES_128_GCM,
  AES_256_GCM,
  CHACHA20_POLY1305,
  AES_128_CBC,
  AES_256_CBC,
  kCount
};

// nullptr when libcrypto does not provide the cipher.
const EVP_CIPHER* fetched_cipher(CipherId id);

}  // namespace snr::crypto
