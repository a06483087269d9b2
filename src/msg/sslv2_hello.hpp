// SSLv2-format CLIENT-HELLO (RFC 5246 E.2; SPEC 6.12): old clients that could still fall back
// to SSLv2 open with it. A server may read it as the first message and answer in TLS; it is
// interpreted as a ClientHello with null compression and no extensions.
#pragma once

#include <cstddef>
#include <cstdint>

#include "msg/messages.hpp"
#include "snr/error.hpp"
#include "util/bytes.hpp"

namespace snr::msg {

// The SSLv2 record header is two bytes: the high bit set, then a 15-bit length.
inline constexpr size_t kSslv2HeaderSize = 2;
// msg_type, version and the three u16 lengths.
inline constexpr size_t kSslv2FixedSize = 9;
inline constexpr uint8_t kSslv2ClientHello = 1;
inline constexpr size_t kSslv2CipherSpecSize = 3;
// "Historically, permissible values are between 16 and 32 bytes inclusive" (E.2).
inline constexpr size_t kSslv2MinChallenge = 16;
inline constexpr size_t kSslv2MaxChallenge = 32;

// `message` is the SSLv2 message after its 2-byte record header (msg_type first: the bytes
// the Finished transcript takes). The challenge becomes the random, right-aligned behind zero
// bytes; cipher specs whose first byte is zero become the TLS suites (the others are SSLv2
// kinds and are dropped). Errors: DECODE for a malformed message,
// PROTOCOL_VERSION_UNSUPPORTED for a version below SSLv3 (an SSLv2-only client).
Result<ClientHello> parse_sslv2_client_hello(ByteView message);

}  // namespace snr::msg
