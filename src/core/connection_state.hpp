// The state behind snr::Connection, and the driver that runs the handshake and record
// protocol over the application's I/O callbacks.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "crypto/provider.hpp"
#include "hs/handshake.hpp"
#include "quic/quic_io.hpp"
#include "record/record_layer.hpp"
#include "snr/connection.hpp"

namespace snr::detail {

struct PkeyOp;  // private_key.cpp

struct ConnectionState final : hs::HandshakeIo {
  explicit ConnectionState(Mode m) : mode(m) {}

  Mode mode;
  Connection* owner = nullptr;  // for callbacks that receive the Connection
  std::optional<Config> config;
  const PolicyData* policy_override = nullptr;
  std::string server_name;
  VerifyHostNameCallback verify_host;
  std::optional<ClientAuthType> client_auth;  // set_client_auth_type (overrides the config's)
  std::optional<std::vector<Bytes>> alpn;     // overrides the config's ALPN list when set
  crypto::Provider* provider = &crypto::Provider::system();
  Bytes test_client_hello;                    // see hs::Settings::client_hello_override
  Version test_max_version = Version::TLS13;  // see hs::Settings::version_cap

  // I/O
  SendCallback send_cb = nullptr;
  void* send_ctx = nullptr;
  RecvCallback recv_cb = nullptr;
  void* recv_ctx = nullptr;
  SendFunction send_fn;
  RecvFunction recv_fn;
  int read_fd = -1;
  int write_fd = -1;

  record::RecordLayer rl;
  Bytes hs_in;   // handshake bytes received, not yet a whole message
  Bytes hs_cur;  // the handshake message the current step is processing
  Bytes hs_out;  // handshake messages written, not yet framed into records
  std::unique_ptr<hs::Handshake> hs;
  hs::Negotiated neg;
  bool complete = false;
  bool ccs_seen = false;
  std::optional<Error> failed;
  std::optional<uint8_t> peer_alert;
  bool read_closed = false;
  bool write_closed = false;
  bool alert_sent = false;
  // Peer events counted against the config's Limits; a non-empty application data record
  // restarts them.
  struct PeerCounts {
    uint16_t empty_records = 0;
    uint16_t warning_alerts = 0;
    uint16_t key_updates = 0;
    uint16_t session_tickets = 0;
    uint16_t hello_requests = 0;
  } counts;
  MutByteView app_pending;  // decrypted application data not yet returned (in the record layer)
  std::string handshake_type_str;
  // Resumption: the session a client offers (set_session_ticket), and the newest session the
  // server issued, encoded as the blob session_ticket() returns.
  std::unique_ptr<resume::ClientSession> session_in;  // heap: rarely set, kept per connection
  std::vector<Psk> psks;                              // external PSKs (append_psk)

  // Record sizing
  size_t max_fragment = record::kMaxPlaintext;
  uint32_t dynamic_threshold = 0;
  uint16_t dynamic_timeout_s = 0;
  uint64_t dynamic_sent = 0;  // application bytes since the ramp-up (re)started
  uint64_t last_send_ns = 0;

  // KeyUpdate (TLS 1.3)
  bool key_update_pending = false;   // request_key_update(): sent before the next data
  bool key_update_ask_peer = false;  // ... with update_requested
  uint8_t key_updates_sent = 0;
  uint8_t key_updates_received = 0;

  // 0-RTT
  bool early_wanted = false;               // client: poll_send_early_data came first
  std::optional<uint32_t> max_early_data;  // server: the connection's override
  hs::EarlyMode early_mode = hs::EarlyMode::None;
  uint32_t early_limit = 0;
  uint32_t early_count = 0;  // early data bytes sent or received (or skipped)
  Bytes early_in;            // server: early data not yet read
  size_t early_pos = 0;
  std::optional<bool> early_decision;  // server: a deferred decision, once made
  bool early_deferred = false;
  bool early_stop = false;  // negotiate() stops once the client may send early data
  SecureBytes session_out;  // holds the session's secret
  // Server: the first ClientHello (driver.cpp); on the heap, as clients never have one.
  std::unique_ptr<ClientHello> client_hello;
  // QUIC mode (quic.cpp): created by the first QUIC call; the sink replacing the record layer.
  std::unique_ptr<quic::QuicIo> quic;
  bool sslv2_hello = false;  // server: it came in SSLv2 format (SPEC 6.12)
  // Server, client hello callback (client_hello_callback.cpp). The first ClientHello waits in
  // hs_cur (hello_held) while the callback's answer is pending.
  enum class HelloCb : uint8_t { NotRun, Running, Pending, Done };
  HelloCb hello_cb = HelloCb::NotRun;
  std::unique_ptr<ConnectionFuture> hello_future;  // the future form, polled until ready
  bool hello_held = false;
  bool hello_held_sslv2 = false;
  bool server_name_used = false;  // server_name_extension_used()
  // Connection initializer (conn_initializer.cpp): run once before the handshake starts;
  // wipe() rebuilds the state, so a reused connection runs it again.
  bool init_run = false;
  std::unique_ptr<ConnectionFuture> init_future;  // its future form, polled until ready
  // Client: the chain the certificate request callback chose, kept alive for the handshake
  // (cert_request.cpp).
  std::shared_ptr<const CertifiedKey> requested_chain;
  // Private-key offload (private_key.cpp): the one operation with the application, its
  // future (the future form), and the message of a receiving step paused for it.
  std::shared_ptr<PkeyOp> pkey_op;
  std::unique_ptr<ConnectionFuture> pkey_future;
  std::optional<hs::InMessage> held_in;
  std::optional<Config> replaced_config;  // kept alive: the handshake may still point into it

  // Lifecycle (lifecycle.cpp): blinding, corked I/O, send buffer, waker, app contexts.
  Blinding blinding = Blinding::BuiltIn;
  uint64_t blinding_until_ns = 0;            // monotonic deadline of a SelfService delay; 0: none
  bool corked_io = false;                    // use_corked_io()
  bool corked = false;                       // TCP_CORK is on now
  std::optional<uint32_t> send_buffer_size;  // the connection's override of the config's
  Waker waker;
  struct AppContext {
    const void* tag;
    std::unique_ptr<void, void (*)(void*)> value;
  };
  std::vector<AppContext> app_contexts;
  // Once the connection has failed (called once, from fail()): uncorks, and applies
  // blinding (SPEC 6.1), which may sleep.
  void after_failure(const Error& e);
  uint64_t blinding_remaining_ns() const;
  // TCP_CORK on the write fd when use_corked_io() asked for it (errors other than "not a
  // TCP socket" fail the handshake).
  Status set_cork(bool on);
  // `p`, once TCP_CORK is off (a failure to uncork fails the connection).
  Poll<void> uncork(Poll<void> p);
  // The most bytes one send call carries (SIZE_MAX: no limit).
  size_t send_limit() const;
  // The largest application data fragment: the connection's preference, made to fit the
  // send buffer.
  size_t fragment_cap() const;

  // --- hs::HandshakeIo ---
  Status send_message(ByteView message) override;
  Status send_change_cipher_spec() override;
  Status set_read_secret(const policy::CipherSuite& suite, ByteView secret) override;
  Status set_write_secret(const policy::CipherSuite& suite, ByteView secret) override;
  Status set_read_keys12(const policy::CipherSuite& suite, Version version,
                         const keys::DirectionKeys& keys) override;
  Status set_write_keys12(const policy::CipherSuite& suite, Version version,
                          const keys::DirectionKeys& keys) override;
  void version_known(uint16_t record_version) override;
  void set_early_data(hs::EarlyMode mode, uint32_t limit) override;
  Status clear_write_key() override;

  // --- driver (driver.cpp) ---
  Poll<void> negotiate();
  Poll<size_t> send(ByteView data);
  Poll<size_t> recv(MutByteView out);
  Poll<void> flush();
  Poll<void> shutdown_send();
  Poll<void> shutdown();
  Poll<size_t> send_early(ByteView data);
  Poll<size_t> recv_early(MutByteView out);

  // --- I/O (io.cpp): s2n's callback contract, -1 + errno for would-block ---
  bool has_io() const;
  int io_send(const uint8_t* buf, size_t len);
  int io_recv(uint8_t* buf, size_t len);
  int io_send_once(const uint8_t* buf, size_t len);
  int io_recv_once(uint8_t* buf, size_t len);

  const PolicyData& policy() const;

  // --- client hello callback (client_hello_callback.cpp) ---
  // While the callback runs or is pending: set_config and server_name_extension_used apply.
  bool in_client_hello_callback() const {
    return hello_cb == HelloCb::Running || hello_cb == HelloCb::Pending;
  }
  // set_config from the callback: the handshake continues with `config`.
  Status replace_config(Config config);
  // Points the handshake's key-log hook at the current config's callback (or none).
  void install_key_log(hs::Settings& s);

  // --- QUIC mode (quic.cpp) ---
  // enable_quic() on the connection or its config.
  bool quic_on() const;
  quic::QuicIo& quic_state();
  // Handshake settings and hooks for QUIC mode (start_handshake).
  void quic_configure(hs::Settings& s);
  // Reads from the receive callback what the next handshake message still lacks (exactly,
  // so that no bytes of the next encryption level are taken).
  Poll<void> quic_read();
  Status quic_provide(QuicLevel level, ByteView data);
  Poll<void> quic_post_handshake();
  // The config's resource limits (the defaults before a config is set).
  const Limits& limits() const;

 private:
  Status start_handshake();
  Status flush_handshake_out();
  // The next whole handshake message in hs_in (reading records as needed).
  Poll<hs::InMessage> next_handshake_message();
  // Reads one record; Ready(nullopt) when the transport hit EOF.
  // `direct`: the application's buffer, for application data to be decrypted into
  // (RecordLayer::take_record).
  Poll<std::optional<record::Record>> read_record(MutByteView direct = {});
  // Early data met while reading the handshake: kept (accepted) or skipped (rejected).
  Status on_early_record(const record::Record& rec);
  // Handles an alert record: close_notify closes the read side; others fail.
  Status on_alert(const record::Record& rec);
  Status on_post_handshake(const hs::InMessage& m);
  // Application data into records, sized as SPEC 6.5 says (preference, dynamic threshold).
  Status write_application_data(ByteView data);
  // Writes a KeyUpdate (not requesting the peer's) and switches to the next write key.
  Status send_key_update(uint8_t request_update);
  // A session issued by the server: kept for session_ticket() and given to the callback.
  Status on_session(const resume::ClientSession& session, uint32_t lifetime);
  // Post-handshake messages (NewSessionTicket, KeyUpdate) from one handshake record.
  Status on_handshake_record(const record::Record& rec);
  Error fail(Error e);
  // The client hello callback for the first ClientHello (in hs_cur): invokes it once, then
  // polls what it left pending. Ready: the hello step may run (with the settings the
  // callback chose); Pending: it waits for the application.
  Poll<void> client_hello_callback();
  // Pending(OnApplicationInput) for a step that waits for the application, or
  // MISSING_WAKER when nothing could tell the application to poll again (SPEC 3).
  Poll<void> await_application();
  // The config's connection initializer, invoked on the first call (before the handshake
  // exists), then its future polled: Ready once there is nothing (more) to wait for.
  Poll<void> connection_initializer();
  // The certificate request callback's choice (hs::Settings::cert_request).
  Result<const CertifiedKey*> certificate_request(std::span<const uint16_t> schemes,
                                                  std::span<const Bytes> authorities);
  // Private-key offload (private_key.cpp): the hook the handshake calls (hs::Settings::
  // pkey_offload), and the poll of an operation the application has not finished: Ready once
  // it has output, Pending until then, an error when it failed or was dropped.
  Result<std::optional<SecureBytes>> offload_private_key(const hs::PkeyRequest& req);
  Poll<void> poll_private_key();
};

// Client authentication (client_auth.cpp): the mode in force for this connection
// (connection override, else config, else the role's default), and the enum values of a
// negotiated signature scheme, shared by the server's and the client's getters.
ClientAuthType client_auth_type(const ConnectionState& s);
Result<SignatureAlgorithm> signature_algorithm_of(const policy::SigScheme* scheme);
Result<HashAlgorithm> hash_algorithm_of(const policy::SigScheme* scheme);

}  // namespace snr::detail
