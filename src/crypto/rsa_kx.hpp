// The TLS 1.2 RSA key exchange (RFC 5246 7.4.7.1): the client encrypts a 48-byte premaster
// to the server's certificate key; the server decrypts it without revealing, by any error or
// timing, whether the padding was valid (the Bleichenbacher countermeasure).
#pragma once

#include <cstddef>
#include <cstdint>

#include "crypto/pkey.hpp"
#include "snr/error.hpp"
#include "util/bytes.hpp"

namespace snr::crypto {

inline constexpr size_t kRsaPremasterSize = 48;

// Client: the EncryptedPreMasterSecret, PKCS#1 v1.5 (type 2) encryption of `premaster48`
// (whose first two bytes are the version the client offered). Err::CERT_TYPE_UNSUPPORTED when
// the key is not an rsaEncryption key; Err::INVALID_ARGUMENT when premaster48 is not 48 bytes.
Result<Bytes> rsa_encrypt_premaster(const PublicKey& server_key, ByteView premaster48);

// Server: the premaster to use. That is the decrypted premaster when the PKCS#1 v1.5 padding is
// valid, the plaintext is 48 bytes and it starts with `client_version` (the
// ClientHello.client_version); otherwise it is `random_fallback48`, which the caller draws
// fresh for every handshake *before* calling, so that the handshake then fails at Finished
// exactly as it would for any wrong premaster. Which of the two is returned is decided in
// constant time.
//
// Errors only for what an attacker learns nothing from: Err::DECODE when `encrypted` is not
// exactly the modulus size, Err::INVALID_ARGUMENT for a non-RSA key or a fallback that is not
// 48 bytes, Err::CRYPTO when libcrypto fails.
Result<SecureBytes> rsa_decrypt_premaster(const PrivateKey& key, ByteView encrypted,
                                          uint16_t client_version, ByteView random_fallback48);

}  // namespace snr::crypto
