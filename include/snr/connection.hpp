// snr::Connection: one TLS connection, client or server, driven by poll_* calls (sans-IO).
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "snr/callbacks.hpp"
#include "snr/cert_chain.hpp"
#include "snr/client_hello.hpp"
#include "snr/config.hpp"
#include "snr/enums.hpp"
#include "snr/error.hpp"
#include "snr/poll.hpp"
#include "snr/psk.hpp"
#include "snr/security.hpp"

namespace snr {

namespace detail {
struct ConnectionState;
}

class Connection {
 public:
  explicit Connection(Mode mode);
  static Connection new_client() { return Connection(Mode::Client); }
  static Connection new_server() { return Connection(Mode::Server); }
  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  Mode mode() const;

  // --- setup ---
  Status set_config(Config config);
  // Overrides the config's policy for this connection.
  Status set_security_policy(const Policy& policy);
  // Client: the SNI to send and the default name checked against the server certificate.
  Status set_server_name(std::string_view server_name);
  Status set_verify_host_callback(VerifyHostNameCallback cb);
  // ALPN preferences for this connection (replace the config's).
  Status set_application_protocol_preference(std::span<const std::string_view> protocols);
  Status set_application_protocol_preference(std::initializer_list<std::string_view> protocols) {
    return set_application_protocol_preference(
        std::span<const std::string_view>(protocols.begin(), protocols.size()));
  }
  Status append_application_protocol_preference(std::string_view protocol);

  Status set_send_callback(SendCallback cb);
  Status set_send_context(void* ctx);
  Status set_receive_callback(RecvCallback cb);
  Status set_receive_context(void* ctx);
  Status set_send_callback(SendFunction fn);
  Status set_receive_callback(RecvFunction fn);
  // Send and receive on a file descriptor (a socket, or a pipe).
  Status set_fd(int fd);
  Status set_read_fd(int fd);
  Status set_write_fd(int fd);

  // --- driving ---
  // Runs the handshake; Ready once it has completed (idempotent afterwards).
  Poll<void> poll_negotiate();
  // Encrypts and sends; may write part of buf (call again with the rest).
  Poll<size_t> poll_send(std::span<const uint8_t> buf);
  Poll<size_t> poll_send(std::string_view s) {
    return poll_send(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
  }
  // Reads application data; 0 means the peer closed (close_notify or EOF).
  Poll<size_t> poll_recv(std::span<uint8_t> buf);
  // As poll_recv; the name of s2n's variant that accepts uninitialized memory.
  Poll<size_t> poll_recv_uninitialized(std::span<uint8_t> buf) { return poll_recv(buf); }
  Poll<void> poll_flush();
  // Decrypted bytes that poll_recv can return without further I/O.
  size_t peek_len() const;
  // Sends close_notify and waits for the peer's.
  Poll<void> poll_shutdown();
  // Sends close_notify; the read side stays usable.
  Poll<void> poll_shutdown_send();

  // --- getters ---
  // The alert the peer sent, if any.
  std::optional<uint8_t> alert() const;
  std::optional<std::string_view> server_name() const;
  Result<Version> actual_protocol_version() const;
  // "TLS_AES_128_GCM_SHA256"; "TLS_NULL_WITH_NULL_NULL" before negotiation.
  Result<std::string_view> cipher_suite() const;
  // "x25519", "secp256r1", ...; "NONE" before negotiation.
  Result<std::string_view> selected_curve() const;
  Result<SignatureAlgorithm> selected_signature_algorithm() const;
  Result<HashAlgorithm> selected_hash_algorithm() const;
  // The server's CertificateVerify scheme, e.g. "ecdsa_secp256r1_sha256", if one was used.
  std::optional<std::string_view> signature_scheme() const;
  // "NEGOTIATED|FULL_HANDSHAKE|MIDDLEBOX_COMPAT"; "INITIAL" before anything is known.
  Result<std::string_view> handshake_type() const;
  // The validated peer chain (leaf first, trust anchor included).
  Result<CertificateChain> peer_cert_chain() const;
  // The local chain used in the handshake (server: the chain it sent).
  const CertificateChain* selected_cert() const;
  // The 48-byte master secret of a TLS 1.2 (or older) connection; a Usage error on TLS 1.3.
  Result<std::vector<uint8_t>> master_secret() const;
  // The negotiated ALPN protocol, if any.
  std::optional<std::string_view> application_protocol() const;
  bool is_handshake_complete() const;
  // A ticket or session id resumed an earlier session (not an external PSK).
  bool resumed() const;

  // --- resumption (SPEC 6.10) ---
  // Client: resume the session in `blob` (from session_ticket() or the SessionTicketCallback).
  // A blob that cannot be decoded is INVALID_SERIALIZED_SESSION_STATE; a stale or foreign one
  // just leads to a full handshake.
  Status set_session_ticket(std::span<const uint8_t> blob);
  // Client: the newest session the server issued, as a blob (TLS 1.3: the latest ticket).
  Result<size_t> session_ticket_length() const;
  // Copies the blob into `out` (BUFFER_TOO_SMALL if it does not fit); returns its length.
  Result<size_t> session_ticket(std::span<uint8_t> out) const;
  bool are_session_tickets_enabled() const;
  // --- record sizing (SPEC 6.5) ---
  // Largest plaintext per outgoing record: 1435 bytes (a record fits one 1500-byte packet's
  // payload) or 16384 (snr's default: fewest records, fastest bulk transfer; s2n's default
  // is 8087, a compromise snr does not copy).
  Status prefer_low_latency();
  Status prefer_throughput();
  // The first `bytes` of application data (and again after `timeout_s` seconds without
  // sending) go in records that fit one TCP segment (TLS 1.3 AES-GCM: 1378 bytes of data), so
  // the first bytes reach the peer's application sooner. bytes <= 8 MiB; 0 turns it off.
  Status set_dynamic_record_threshold(uint32_t bytes, uint16_t timeout_s);

  // --- TLS 1.3 key update and exporter ---
  // Sends a KeyUpdate (RFC 8446 4.6.3) before the next application data and switches to the
  // next write key; KeyUpdatedRequested also asks the peer to update its own (s2n refuses
  // that request; snr supports it). AES-GCM connections also update on their own before
  // 2^24.5 records.
  Status request_key_update(PeerKeyUpdate peer_request);
  struct KeyUpdateCounts {
    uint8_t send_key_updates = 0;  // saturating at 255
    uint8_t recv_key_updates = 0;
  };
  KeyUpdateCounts key_update_counts() const;
  // Exported keying material once the handshake is complete: TLS 1.3 RFC 8446 7.5
  // TLS-Exporter(label, context, out.size()); TLS 1.2 and older RFC 5705 (beyond s2n; an
  // empty context means none).
  Status tls_exporter(std::span<const uint8_t> label, std::span<const uint8_t> context,
                      std::span<uint8_t> out) const;

  // --- early data (TLS 1.3 0-RTT, RFC 8446 2.3) ---
  // Client, with a session (set_session_ticket) whose server allows early data: starts the
  // handshake if needed and sends `data` before it completes. Ready(n) says how much was
  // taken (0 once the early-data window has closed: the server's answer came, or the limit
  // was reached). Early data can be replayed by an attacker: send only idempotent requests.
  Poll<size_t> poll_send_early_data(std::span<const uint8_t> data);
  Poll<size_t> poll_send_early_data(std::string_view s) {
    return poll_send_early_data(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
  }
  // Server: runs the handshake until early data arrives; Ready(0) when there is no (more)
  // early data. Early data not read this way is returned by poll_recv after the handshake.
  Poll<size_t> poll_recv_early_data(std::span<uint8_t> buf);
  EarlyDataStatus early_data_status() const;
  // Server: overrides the config's limit for this connection.
  Status set_server_max_early_data_size(uint32_t bytes);
  // Server: the decision an EarlyDataCallback deferred.
  Status accept_early_data();
  Status reject_early_data();

  // External PSKs (TLS 1.3), in preference order; exclusive with set_session_ticket. A server
  // picks the first client identity it has.
  Status append_psk(const Psk& psk);
  // TLS 1.3: the PSK identity the handshake used (empty: none).
  std::span<const uint8_t> negotiated_psk_identity() const;
  // Server: the first ClientHello received (kept after the handshake); nullptr before one
  // arrived and on clients.
  const ClientHello* client_hello() const;

  // --- serialization (SPEC 6.11; serialize.cpp) ---
  // Moves an established connection's record state out (config with SerializationVersion::V1,
  // handshake complete, nothing buffered in or out); the blob holds keys unprotected. The
  // source connection is closed for good afterwards.
  Result<size_t> serialization_length() const;
  Status serialize(std::span<uint8_t> out);
  // Restores a serialized connection into a fresh connection of the same mode.
  Status deserialize(std::span<const uint8_t> blob);

  detail::ConnectionState& state() { return *s_; }
  const detail::ConnectionState& state() const { return *s_; }

 private:
  std::unique_ptr<detail::ConnectionState> s_;
};

}  // namespace snr
