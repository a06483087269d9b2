// QUIC mode (SPEC 6.18, RFC 9001): the types behind Connection's QUIC calls.
//
// In QUIC mode there is no record layer: handshake messages leave and arrive as plaintext
// (QUIC carries them in CRYPTO frames), secrets go to the application (QUIC derives its
// packet keys from them), and alerts are not sent (the failing call's Error::alert() is the
// TLS alert for the QUIC CONNECTION_CLOSE, RFC 9001 4.8).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string_view>

namespace snr {

class Connection;

// RFC 9001 4.1.4: the encryption level a handshake message travels at. Each level is a
// packet number space (EarlyData shares the application space but never carries TLS data).
enum class QuicLevel : uint8_t { Initial, EarlyData, Handshake, Application };
// "initial", "early_data", "handshake", "application".
std::string_view to_string(QuicLevel level);

// The secrets handed to the QUIC layer (s2n_secret_type_t), as RFC 8446 7.1 names them:
// client_early_traffic_secret, [sender]_handshake_traffic_secret,
// [sender]_application_traffic_secret_0, exporter_master_secret.
enum class SecretType : uint8_t {
  ClientEarlyTraffic,
  ClientHandshakeTraffic,
  ServerHandshakeTraffic,
  ClientApplicationTraffic,
  ServerApplicationTraffic,
  Exporter,
};

// Called as each secret is derived: `secret` is as long as the suite's hash (32 or 48 bytes)
// and is wiped after the call (copy what you keep). The suite's AEAD and hash come from
// Connection::cipher_suite(). A non-zero return aborts the handshake (QUIC_SECRET_CALLBACK,
// internal_error). The server reports ClientEarlyTraffic only once it accepted early data.
using SecretCallback = std::function<int(SecretType type, std::span<const uint8_t> secret)>;
// s2n's C form: (ctx, conn, type, secret, length).
using SecretCallbackFn = int (*)(void* ctx, Connection* conn, SecretType type,
                                 const uint8_t* secret, uint8_t length);

// Per-level output: each call is one or more whole handshake messages for `level`, to be sent
// in CRYPTO frames of that level (the bytes are only valid during the call).
using QuicSendFunction = std::function<void(QuicLevel level, std::span<const uint8_t> data)>;

}  // namespace snr
