// TLS 1.2 (and 1.0/1.1) record protection (RFC 5246 6.2.3): AES-GCM (RFC 5288) with an
// explicit nonce, ChaCha20-Poly1305 (RFC 7905), and AES-CBC + HMAC (MAC-then-encrypt), whose
// padding and MAC are checked in constant time (no branch or memory access depends on the
// padding or MAC bytes: the Lucky13 class of timing attacks).
#pragma once

#include <memory>

#include "keys/prf12.hpp"
#include "policy/registry.hpp"
#include "record/protection.hpp"

namespace snr::record {

// RFC 5246 6.2.3: TLSCiphertext.length may exceed the plaintext by at most 2048.
inline constexpr size_t kMaxCiphertext12 = kMaxPlaintext + 2048;

// Creates the protection of one direction for `suite` at `version` from its key-block keys.
// TLS 1.0 CBC uses the key block IV and chains it; TLS 1.0 application data written through
// seal() is split 1/n-1 against BEAST.
Result<std::unique_ptr<Protection>> make_protection12(const policy::CipherSuite& suite,
                                                      Version version,
                                                      const keys::DirectionKeys& keys);

}  // namespace snr::record
