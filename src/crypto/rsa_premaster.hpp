// The constant-time half of the server's RSA premaster handling (RFC 5246 7.4.7.1), defined in
// rsa_kx.cpp: given the raw RSA decryption, pick the premaster. A function of its own so that
// the constant-time test (tests/ct) can run it on bytes it has marked secret; libcrypto's
// modular exponentiation before it is not ours to check.
#pragma once

#include <cstdint>

#include "util/bytes.hpp"

namespace snr::crypto {

// `em` is the raw decryption (the modulus size k >= 59 bytes, a public length), `fallback48`
// the random premaster drawn beforehand, `out48` receives the premaster: the last 48 bytes of
// `em` when em = 00 02 PS(>= 8 non-zero bytes) 00 M with |M| = 48 and M starting with
// `client_version`, else `fallback48`. Everything but the sizes and client_version is
// secret: no branch or address depends on it. Sizes are the caller's to check.
void rsa_select_premaster(ByteView em, uint16_t client_version, ByteView fallback48,
                          MutByteView out48);

}  // namespace snr::crypto
