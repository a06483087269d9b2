// TLS alert descriptions (RFC 8446 6, RFC 5246 7.2).
#pragma once

#include <cstdint>
#include <string_view>

namespace snr::alert {

inline constexpr uint8_t close_notify = 0;
inline constexpr uint8_t unexpected_message = 10;
inline constexpr uint8_t bad_record_mac = 20;
inline constexpr uint8_t record_overflow = 22;
inline constexpr uint8_t handshake_failure = 40;
inline constexpr uint8_t bad_certificate = 42;
inline constexpr uint8_t unsupported_certificate = 43;
inline constexpr uint8_t certificate_revoked = 44;
inline constexpr uint8_t certificate_expired = 45;
inline constexpr uint8_t certificate_unknown = 46;
inline constexpr uint8_t illegal_parameter = 47;
inline constexpr uint8_t unknown_ca = 48;
inline constexpr uint8_t access_denied = 49;
inline constexpr uint8_t decode_error = 50;
inline constexpr uint8_t decrypt_error = 51;
inline constexpr uint8_t protocol_version = 70;
inline constexpr uint8_t insufficient_security = 71;
inline constexpr uint8_t internal_error = 80;
inline constexpr uint8_t inappropriate_fallback = 86;
inline constexpr uint8_t user_canceled = 90;
inline constexpr uint8_t no_renegotiation = 100;
inline constexpr uint8_t missing_extension = 109;
inline constexpr uint8_t unsupported_extension = 110;
inline constexpr uint8_t unrecognized_name = 112;
inline constexpr uint8_t bad_certificate_status_response = 113;
inline constexpr uint8_t unknown_psk_identity = 115;
inline constexpr uint8_t certificate_required = 116;
inline constexpr uint8_t no_application_protocol = 120;
inline constexpr int NONE = -1;

// "handshake_failure", ...; "unknown" for codes not listed above.
std::string_view name(uint8_t code);

}  // namespace snr::alert
