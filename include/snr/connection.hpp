// snr::Connection: one TLS connection, client or server, driven by poll_* calls (sans-IO).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
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
#include "snr/quic.hpp"
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
  // Overrides the config's policy for this connection. SECURITY_POLICY_INCOMPATIBLE_CERT when
  // the config holds a chain the policy's local certificate rules refuse (and set_config
  // then refuses such a config; see Config::Builder::set_security_policy).
  Status set_security_policy(const Policy& policy);
  // Client: the SNI to send and the default name checked against the server certificate.
  // A trailing dot ("example.com.") is dropped from both (RFC 6066 3: a HostName has none);
  // server_name() still returns the name as set.
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
  // Reads application data; 0 means the peer closed (close_notify or EOF). A record that fits
  // `buf` is decrypted straight into it (no copy); only a TLS 1.3 record the peer padded
  // leaves bytes (its zero padding and content type) in `buf` past the returned count.
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
  // The server's handshake signature scheme in s2n's names ("rsa_pss_rsae_sha256",
  // "ecdsa_sha384": ECDSA names omit the curve; TLS 1.0/1.1 "legacy_rsa_md5_sha1" or
  // "ecdsa_sha1"); none for RSA key exchange, PSK and resumed handshakes.
  std::optional<std::string_view> signature_scheme() const;
  // The group of the (EC)DHE key exchange, e.g. "x25519", "secp256r1"; none for RSA key
  // exchange, finite-field DHE (snr's DHE parameters are not a named group, as in s2n), TLS
  // 1.2 resumption and TLS 1.3 psk_ke.
  std::optional<std::string_view> selected_key_exchange_group() const;
  // The post-quantum hybrid group, if one was negotiated. snr implements none (OpenSSL 3.0
  // has no ML-KEM), so this is always none.
  std::optional<std::string_view> kem_group_name() const;
  // Server: the ClientHello came in SSLv2 format (SPEC 6.12).
  bool client_hello_is_sslv2() const;
  // "NEGOTIATED|FULL_HANDSHAKE|MIDDLEBOX_COMPAT"; "INITIAL" before anything is known.
  Result<std::string_view> handshake_type() const;
  // The validated peer chain (leaf first, trust anchor included).
  Result<CertificateChain> peer_cert_chain() const;
  // The local chain used in the handshake (server: the chain it sent; client: the chain it
  // sent for client authentication, null when it sent none).
  const CertificateChain* selected_cert() const;
  // Server: how selected_cert() matched the client's server_name (SPEC 6.15); NoSNI
  // before the handshake chose a certificate.
  CertSNIMatch certificate_match() const;
  // The OCSP response the peer stapled (DER OCSPResponse), empty when none: a client's
  // server's; a TLS 1.3 server's client's (Config::Builder::enable_ocsp asks for one).
  std::span<const uint8_t> ocsp_response() const;
  // The 48-byte master secret of a TLS 1.2 (or older) connection; a Usage error on TLS 1.3.
  Result<std::vector<uint8_t>> master_secret() const;
  // The negotiated ALPN protocol, if any.
  std::optional<std::string_view> application_protocol() const;
  bool is_handshake_complete() const;
  // A ticket or session id resumed an earlier session (not an external PSK).
  bool resumed() const;

  // --- client authentication (SPEC 6.13) ---
  // Overrides the config's client auth mode for this connection (see
  // Config::Builder::set_client_auth_type: defaults, and how a server checks names).
  Status set_client_auth_type(ClientAuthType type);
  // Both roles: the client sent a certificate and proved its key (a non-empty Certificate).
  bool client_cert_used() const;
  // Server: the client's chain as it was received, TLS 1.2 layout on every version
  // (concatenated u24-length-prefixed DER certificates); empty when the client sent none.
  // NOT_NEGOTIATED before the handshake completed. The validated chain is peer_cert_chain().
  Result<std::span<const uint8_t>> client_cert_chain_bytes() const;
  // Both roles: the client CertificateVerify's scheme; NOT_NEGOTIATED without one (no client
  // certificate, or TLS 1.0/1.1, whose signatures have no scheme).
  Result<SignatureAlgorithm> selected_client_signature_algorithm() const;
  Result<HashAlgorithm> selected_client_hash_algorithm() const;

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
  // Server, client hello callback (client_hello_callback.cpp): completes a callback that
  // answered ClientHelloResult::pending() (s2n_client_hello_cb_done); INVALID_STATE when none
  // is pending. Calls the waker.
  Status client_hello_callback_done();
  // Server, from the client hello callback (or while it is pending): the server name chose
  // the config, so the server acknowledges it with an empty server_name extension (TLS 1.2
  // ServerHello, TLS 1.3 EncryptedExtensions; not when a session is resumed). INVALID_STATE
  // elsewhere.
  Status server_name_extension_used();

  // --- QUIC mode (SPEC 6.18, RFC 9001; quic.cpp) ---
  // TLS 1.3 only (TLS 1.3 suites and versions only), no middlebox compatibility (empty
  // session id, never a change_cipher_spec; a server refuses a ClientHello with a session id,
  // illegal_parameter), no EndOfEarlyData (RFC 9001 8.3), no records: the send and receive
  // callbacks carry plaintext handshake messages, and no alerts are sent (the failing
  // call's Error::alert() is the alert for QUIC's CONNECTION_CLOSE). poll_send, poll_recv and
  // the early-data calls are UNSUPPORTED_WITH_QUIC; a KeyUpdate is an error (RFC 9001 6);
  // shutdown only marks the connection closed. A client resuming a session that allows
  // 0-RTT offers it (the ClientEarlyTraffic secret is delivered; early_data_status() tells
  // whether the server accepted). Before the handshake starts; also Config::Builder.
  Status enable_quic();
  bool is_quic_enabled() const;
  // Our quic_transport_parameters (RFC 9001 8.2), opaque, at most 65535 bytes; sent in the
  // ClientHello or EncryptedExtensions. A server requires the client's (MISSING_EXTENSION).
  Status set_quic_transport_parameters(std::span<const uint8_t> params);
  // The peer's transport parameters (empty until received).
  std::span<const uint8_t> quic_transport_parameters() const;
  // Each traffic secret as it is derived (see SecretCallback).
  Status set_secret_callback(SecretCallback cb);
  Status set_secret_callback(SecretCallbackFn cb, void* ctx);
  // After the handshake, one post-handshake message (at the Application level): a client
  // takes a NewSessionTicket (given to the session ticket callback); anything else, and a
  // KeyUpdate in particular, fails with unexpected_message. Pending(OnRead) until a whole
  // message is there. A server's tickets go out through the send callback (or the
  // per-level function) at the Application level as the handshake completes.
  Poll<void> quic_process_post_handshake_message();
  // Encryption levels (s2n's byte-callback contract routes by the secrets delivered; these
  // say it directly). Read level: where the next handshake bytes are expected — bytes from
  // the receive callback are taken at it. Write level: during a send callback call, the
  // level of the bytes being given; otherwise the level of the messages written next.
  QuicLevel quic_read_level() const;
  QuicLevel quic_write_level() const;
  // The per-level interface a QUIC stack prefers: handshake bytes from CRYPTO frames of
  // `level` (then call poll_negotiate, or quic_process_post_handshake_message after the
  // handshake). Bytes at any level other than quic_read_level() fail the connection with
  // QUIC_WRONG_LEVEL (unexpected_message); a message header announcing more than the
  // handshake message limit (64 KiB by default) fails it with MAX_HANDSHAKE_MESSAGE_SIZE.
  // Without a receive callback, poll_negotiate then waits (Pending OnRead) for more.
  Status quic_provide_data(QuicLevel level, std::span<const uint8_t> data);
  // Outgoing handshake messages per level instead of the send callback.
  Status set_quic_send_function(QuicSendFunction fn);

  // --- serialization (SPEC 6.11; serialize.cpp) ---
  // Moves an established connection's record state out (config with SerializationVersion::V1,
  // handshake complete, nothing buffered in or out); the blob holds keys unprotected. The
  // source connection is closed for good afterwards.
  Result<size_t> serialization_length() const;
  Status serialize(std::span<uint8_t> out);
  // Restores a serialized connection into a fresh connection of the same mode.
  Status deserialize(std::span<const uint8_t> blob);

  // --- lifecycle (SPEC 6.1, 6.6, 6.7; lifecycle.cpp) ---
  // What a failure caused by the peer does (SPEC 6.1): after a random delay in the config's
  // blinding range (default 10-30 s), BuiltIn (the default) sleeps in the failing call;
  // SelfService returns at once, and poll_shutdown stays Pending (OnBlinding) until
  // remaining_blinding_delay() is zero, so the application waits without a thread.
  Status set_blinding(Blinding blinding);
  // Time left before a blinded connection may be shut down (zero when not blinded).
  std::chrono::nanoseconds remaining_blinding_delay() const;
  // Resets the connection for another handshake, keeping only its mode and config (s2n's
  // wipe): I/O, callbacks, application contexts, server name, PSKs and secrets are dropped.
  Status wipe();
  // Frees the record layer's I/O buffers and AEAD cipher contexts of an idle connection
  // (they come back on demand); INVALID_STATE while unread input or unsent output remains.
  Status release_buffers();
  // With set_fd / set_write_fd on a TCP socket: TCP_CORK while a handshake flight is
  // written (one flight goes out in full segments), off while waiting for the peer and once
  // the handshake ends. Other fds (pipes, Unix sockets) are not corked.
  Status use_corked_io();
  // The most bytes one send call carries (records are coalesced up to it): 1034 (one small
  // record) and up; application data records are made to fit. Overrides the config's.
  Status set_send_buffer_size(uint32_t bytes);

  // One value per type T, kept until wipe() or removal (s2n's application context).
  template <class T>
  Status set_application_context(T value) {
    set_context(context_tag<T>(), ContextPtr(new T(std::move(value)), &delete_as<T>));
    return {};
  }
  template <class T>
  const T* application_context() const {
    return static_cast<const T*>(context(context_tag<T>()));
  }
  template <class T>
  T* application_context_mut() {
    return static_cast<T*>(context(context_tag<T>()));
  }
  template <class T>
  std::optional<T> remove_application_context() {
    ContextPtr p = take_context(context_tag<T>());
    if (!p) return std::nullopt;
    return std::optional<T>(std::move(*static_cast<T*>(p.get())));
  }

  // Called when an async decision the handshake waits for has been made (e.g.
  // accept_early_data after an EarlyDataCallback deferred); poll_negotiate refuses to pend
  // on one without a waker (MISSING_WAKER). An empty function removes it.
  Status set_waker(Waker waker);
  // The waker, or nullptr when none is set.
  const Waker* waker() const;

  detail::ConnectionState& state() { return *s_; }
  const detail::ConnectionState& state() const { return *s_; }

 private:
  using ContextPtr = std::unique_ptr<void, void (*)(void*)>;
  // A distinct address per type, without RTTI.
  template <class T>
  struct ContextTag {
    static constexpr char id = 0;
  };
  template <class T>
  static const void* context_tag() {
    return &ContextTag<T>::id;
  }
  template <class T>
  static void delete_as(void* p) {
    delete static_cast<T*>(p);
  }
  void set_context(const void* tag, ContextPtr value);
  void* context(const void* tag) const;
  ContextPtr take_context(const void* tag);

  std::unique_ptr<detail::ConnectionState> s_;
};

// One line for logs: mode, handshake type, cipher suite, version and group.
std::ostream& operator<<(std::ostream& os, const Connection& conn);

}  // namespace snr
