// Wire constants: handshake message types, extension types, content types, versions.
#pragma once

#include <cstdint>
#include <string_view>

namespace snr::msg {

enum class HandshakeType : uint8_t {
  hello_request = 0,
  client_hello = 1,
  server_hello = 2,
  new_session_ticket = 4,
  end_of_early_data = 5,
  encrypted_extensions = 8,
  certificate = 11,
  server_key_exchange = 12,
  certificate_request = 13,
  server_hello_done = 14,
  certificate_verify = 15,
  client_key_exchange = 16,
  finished = 20,
  certificate_status = 22,
  key_update = 24,
  message_hash = 254,
};

enum class ContentType : uint8_t {
  change_cipher_spec = 20,
  alert = 21,
  handshake = 22,
  application_data = 23,
};

namespace version {
inline constexpr uint16_t TLS10 = 0x0301;
inline constexpr uint16_t TLS11 = 0x0302;
inline constexpr uint16_t TLS12 = 0x0303;
inline constexpr uint16_t TLS13 = 0x0304;
}  // namespace version

// Extension code points (IANA).
namespace ext {
inline constexpr uint16_t server_name = 0;
inline constexpr uint16_t max_fragment_length = 1;
inline constexpr uint16_t status_request = 5;
inline constexpr uint16_t supported_groups = 10;
inline constexpr uint16_t ec_point_formats = 11;
inline constexpr uint16_t signature_algorithms = 13;
inline constexpr uint16_t alpn = 16;
inline constexpr uint16_t signed_certificate_timestamp = 18;
inline constexpr uint16_t padding = 21;
inline constexpr uint16_t encrypt_then_mac = 22;
inline constexpr uint16_t extended_master_secret = 23;
inline constexpr uint16_t record_size_limit = 28;
inline constexpr uint16_t session_ticket = 35;
inline constexpr uint16_t pre_shared_key = 41;
inline constexpr uint16_t early_data = 42;
inline constexpr uint16_t supported_versions = 43;
inline constexpr uint16_t cookie = 44;
inline constexpr uint16_t psk_key_exchange_modes = 45;
inline constexpr uint16_t certificate_authorities = 47;
inline constexpr uint16_t oid_filters = 48;
inline constexpr uint16_t post_handshake_auth = 49;
inline constexpr uint16_t signature_algorithms_cert = 50;
inline constexpr uint16_t key_share = 51;
inline constexpr uint16_t quic_transport_parameters = 57;
inline constexpr uint16_t renegotiation_info = 0xff01;
}  // namespace ext

// The TLS 1.3 ServerHello.random that marks a HelloRetryRequest (RFC 8446 4.1.3).
inline constexpr uint8_t kHelloRetryRandom[32] = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};

}  // namespace snr::msg
