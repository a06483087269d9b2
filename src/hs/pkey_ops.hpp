// The one place the handshake uses a private key: each signature (TLS 1.3 CertificateVerify,
// TLS 1.2 ServerKeyExchange and client CertificateVerify) and the TLS 1.2 RSA premaster
// decryption either runs on the config's key or goes to the application's private key
// callback (Settings::pkey_offload).
#pragma once

#include <optional>

#include "hs/handshake.hpp"

namespace snr::hs {

// The signature over `message` (the whole to-be-signed content), or nullopt while the
// application computes it: the caller's step then pauses and, when it runs again, calls this
// with the same arguments to collect it. An offloaded signature is verified with the
// certificate's public key before it is returned (ASYNC_BAD_SIGNATURE when it does not
// verify).
Result<std::optional<Bytes>> sign_or_offload(Handshake& hs, const detail::CertifiedKey& key,
                                             crypto::SigParams params, ByteView message);

// Server, TLS 1.2 RSA key exchange (RFC 5246 7.4.7.1): sets hs.pre_master from the
// EncryptedPreMasterSecret and returns true, or returns false while the application decrypts
// (pause and call again). Whatever the decryption gives, a wrong plaintext is replaced by a
// random premaster in constant time, offloaded or not.
Result<bool> decrypt_premaster_or_offload(Handshake& hs, ByteView encrypted_premaster);

}  // namespace snr::hs
