// snr::Config: shared, immutable connection settings, built with Config::Builder.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "snr/callbacks.hpp"
#include "snr/cert_chain.hpp"
#include "snr/enums.hpp"
#include "snr/error.hpp"
#include "snr/security.hpp"

namespace snr {

namespace detail {
struct ConfigData;
}

class Config {
 public:
  class Builder;

  // The default config: policy "default", system trust store, x509 verification on.
  static Result<Config> create();
  static Builder builder();

  const detail::ConfigData& data() const { return *data_; }

  // Ticket keys may be added to a config that connections already use (s2n allows it); see
  // Builder::add_session_ticket_key.
  Status add_session_ticket_key(std::span<const uint8_t> name, std::span<const uint8_t> key,
                                std::chrono::system_clock::time_point intro = {}) const;
  bool operator==(const Config& o) const { return data_ == o.data_; }

  explicit Config(std::shared_ptr<const detail::ConfigData> d) : data_(std::move(d)) {}

 private:
  std::shared_ptr<const detail::ConfigData> data_;
};

class Config::Builder {
 public:
  // Starts minimal: policy "default", empty trust store (system certs are added by build()
  // unless with_system_certs(false)), verification on, max chain depth 7.
  Builder();
  Builder(Builder&&) noexcept;
  Builder& operator=(Builder&&) noexcept;
  ~Builder();

  // A policy whose certificate rules bind local chains too (rfc9151, cnsa_1, ...) refuses
  // a chain that breaks them, as s2n does (SECURITY_POLICY_INCOMPATIBLE_CERT): here when a
  // chain is already loaded, and in load_pem / load_public_pem / load_chain /
  // set_default_chains when the policy is already set. Every certificate's key must be one
  // the policy lists (type and exact size), and its signature one of the policy's
  // certificate schemes, except a self-signed certificate's (s2n's rule text is not in
  // SPEC: snr's choice, as nobody relies on a root's self-signature, RFC 8446 4.2.3).
  Status set_security_policy(const Policy& policy);
  // The certificate chain (PEM, leaf first) and its private key (PEM) a server presents.
  Status load_pem(std::string_view cert_chain_pem, std::string_view private_key_pem);
  // The chain alone (PEM, leaf first): every private-key operation goes to the private key
  // callback, which build() then requires (NO_PRIVATE_KEY without one).
  Status load_public_pem(std::string_view cert_chain_pem);
  // Server certificate selection by SNI (SPEC 6.15): adds an application-owned chain (from
  // cert_chain::Builder), indexed by its SAN DNS names (its CN without any). The first chain
  // of each key type (RSA, RSA-PSS, ECDSA, Ed25519) is that type's default, unless
  // set_default_chains is used. A later chain for a (name, key type) already taken is
  // ignored for that name. Cannot be mixed with load_pem / load_public_pem (CERT_OWNERSHIP).
  Status load_chain(const CertificateChain& chain);
  // The defaults (at most one per key type, at most 4) replacing the implicit ones; each is
  // also loaded as by load_chain. INVALID_ARGUMENT for an empty list, two of one key type or
  // a chain without a key.
  Status set_default_chains(std::span<const CertificateChain> chains);
  // Sign / decrypt through the application (see PrivateKeyCallback); takes over every
  // private-key operation, also for a chain loaded with its key.
  Status set_private_key_callback(PrivateKeyCallback cb);
  // Accept or reject the peer's validated chain (see CertValidationCallback).
  Status set_cert_validation_callback_sync(CertValidationCallback cb);
  Status trust_pem(std::string_view pem);
  // A CA file and/or a hashed CA directory (either may be empty).
  Status trust_location(std::string_view ca_file, std::string_view ca_dir);
  Status with_system_certs(bool enabled);
  Status wipe_trust_store();
  // Decides on the peer certificate's names instead of the server_name check. A server
  // checks a client certificate's names only when one is set (see set_client_auth_type).
  Status set_verify_host_callback(VerifyHostNameCallback cb);
  // --- client authentication (SPEC 6.13) ---
  // Server: None (the default) sends no CertificateRequest; Optional requests a certificate
  // and validates one if sent; Required also fails a handshake without one. Client: Optional
  // (the default) answers a request with a fitting chain (below), or an empty Certificate without
  // one; None fails on a request (UNEXPECTED_CERT_REQUEST); Required fails when the server
  // does not ask (MISSING_CERT_REQUEST) or no certificate is configured.
  // A client answers with the first chain whose key the request admits (TLS 1.3: its
  // signature_algorithms; TLS 1.2: certificate_types and signature_algorithms): the load_pem
  // chain, else the load_chain defaults, then the other load_chain chains in load order (or
  // the chain its certificate request callback sets).
  // A server validates a client chain against its trust store (dates, depth, chain length)
  // but checks the client certificate's names only when a verify-host callback is set, and
  // then the callback alone decides. (s2n compares them with the server's own server_name by
  // default, which rejects nearly every real client certificate; snr deliberately does not.)
  Status set_client_auth_type(ClientAuthType type);
  // Client: chooses the chain that answers each CertificateRequest (see
  // CertificateRequestCallback; s2n's unstable set_certificate_request_callback).
  Status set_certificate_request_callback(CertificateRequestCallback cb);
  // Server: CertificateRequest lists the trust store's subject names (certificate_authorities)
  // as build() finds them, up to 32 KiB of names (the rest are left out).
  Status set_certificate_authorities_from_trust_store();
  // Accept any peer certificate. Only for testing.
  Status disable_x509_verification();
  Status set_max_cert_chain_depth(uint16_t depth);
  // --- OCSP stapling (RFC 6066 8, SPEC 6.15) ---
  // Client: asks the server to staple an OCSP response (status_request); what it staples is
  // Connection::ocsp_response(). A server that staples nothing is accepted. Server: asks TLS
  // 1.3 clients for theirs in CertificateRequest (a client staples its set_ocsp_data).
  Status enable_ocsp();
  // The DER OCSPResponse stapled with the load_pem / load_public_pem chain when the peer
  // asks (empty clears it). UPDATING_EXTENSION before a chain is loaded,
  // CERT_OWNERSHIP with load_chain chains (cert_chain::Builder::set_ocsp_data is theirs).
  Status set_ocsp_data(std::span<const uint8_t> der);
  // Whether a stapled response is checked (on by default, and only when certificates
  // are verified): it must be signed by the leaf's issuer or a responder it delegated to,
  // cover the leaf, and be current; revoked is CERT_REVOKED, anything else unsatisfactory
  // INVALID_OCSP_RESPONSE (alert bad_certificate_status_response).
  Status set_check_stapled_ocsp_response(bool check);
  // ALPN (RFC 7301): protocols in preference order (the server picks by its own order).
  // Each 1-255 bytes.
  Status set_application_protocol_preference(std::span<const std::string_view> protocols);
  Status set_application_protocol_preference(std::initializer_list<std::string_view> protocols) {
    return set_application_protocol_preference(
        std::span<const std::string_view>(protocols.begin(), protocols.size()));
  }
  Status append_application_protocol_preference(std::string_view protocol);
  // PEM DH parameters ("BEGIN DH PARAMETERS", p of at least 2048 bits) for the DHE suites.
  Status add_dhparams(std::string_view pem);
  Status set_key_log_callback(KeyLogCallback cb);
  Status set_wall_clock(WallClock clock);
  Status set_monotonic_clock(MonotonicClock clock);
  // Lets connections be serialized in this format (Connection::serialize).
  Status set_serialization_version(SerializationVersion version);

  // --- resumption (SPEC 6.10) ---
  // Stateless session tickets: a server issues them (when it has a usable ticket key), a client
  // asks for them. Enabling sets the TLS 1.3 ticket count to 1 unless it was set.
  Status enable_session_tickets(bool enabled);
  // A ticket encryption key: name 1-16 bytes, key material >= 16 bytes; intro = the time it
  // starts encrypting (the epoch, the default, means now). Enables tickets. At most 48 keys;
  // expired keys are purged when one is added.
  Status add_session_ticket_key(std::span<const uint8_t> name, std::span<const uint8_t> key,
                                std::chrono::system_clock::time_point intro = {});
  // How long a key encrypts and decrypts (default 2 h), then only decrypts (default 13 h).
  Status set_ticket_key_encrypt_decrypt_lifetime(std::chrono::seconds lifetime);
  Status set_ticket_key_decrypt_lifetime(std::chrono::seconds lifetime);
  // TLS 1.3: NewSessionTickets a server sends after each handshake (default 1 with tickets).
  Status set_initial_ticket_count(uint16_t count);
  // Client: receives each resumable session. Enables tickets.
  Status set_session_ticket_callback(SessionTicketCallback cb);
  // No TLS 1.2 tickets at all (they hold the master secret, so no forward secrecy).
  Status require_ticket_forward_secrecy(bool required);
  // Server: accept up to `bytes` of TLS 1.3 early data (0-RTT) on resumed sessions; tickets
  // issued say so. 0 (the default) refuses early data.
  Status set_server_max_early_data_size(uint32_t bytes);
  // Server: decides on each offer of early data (default: accept). See EarlyDataCallback.
  Status set_early_data_callback(EarlyDataCallback cb);
  // Server: called on each handshake's first ClientHello; see ClientHelloCallback.
  Status set_client_hello_callback(ClientHelloCallback cb);
  // Both roles: runs once per connection before its handshake; see ConnectionInitializer.
  // Setting it again replaces it (compose two with snr::both).
  Status set_connection_initializer(ConnectionInitializer cb);
  // Server: TLS 1.2 sessions by session id in an application cache (all three callbacks
  // required). Entries live 6 hours; a connection that fails deletes its entry.
  Status set_session_cache(SessionCache cache);
  // How long a session's state may be resumed, across every ticket issued for it (default 15 h).
  Status set_session_state_lifetime(std::chrono::seconds lifetime);

  // --- max_fragment_length (RFC 6066 4; SPEC 6.5) ---
  // Client: asks the server to keep records to `length` bytes of plaintext. When the server
  // agrees, both sides send and accept no larger records (the smaller of this and
  // prefer_low_latency / prefer_throughput wins); otherwise nothing changes.
  Status send_max_fragment_length(MaxFragmentLength length);
  // Server: grants clients' max_fragment_length requests (echoes them and then keeps to the
  // limit). Without it a request is ignored, as in s2n. A request with a code other than 1-4
  // fails the handshake with illegal_parameter either way (RFC 6066; s2n ignores those).
  Status accept_max_fragment_length();

  // --- resource limits ---
  // What a TLS 1.2 warning alert does (default FailOnWarnings, as s2n). With IgnoreWarnings a
  // warning is dropped, up to set_max_warning_alerts in a row.
  Status set_alert_behavior(AlertBehavior behavior);
  // The largest handshake message accepted from the peer: 4 KiB to 16 MiB (default 64 KiB;
  // long certificate chains may need more). A longer one fails with
  // MAX_HANDSHAKE_MESSAGE_SIZE as soon as its 4-byte header arrives.
  Status set_max_handshake_message_size(uint32_t bytes);
  // The most certificates the peer's Certificate message may carry, 1 or more (default 16);
  // checked before any certificate is decoded, also without x509 verification
  // (CERT_MAX_CHAIN_DEPTH_EXCEEDED). set_max_cert_chain_depth bounds the validated path.
  Status set_max_cert_chain_length(uint16_t count);
  // Counted peer behaviour: each count restarts when a non-empty application data record
  // arrives, and one event over the limit fails the connection with an unexpected_message
  // alert. 0 tolerates none.
  // Empty application data records in a row (default 32): TOO_MANY_EMPTY_RECORDS.
  Status set_max_empty_records(uint16_t count);
  // TLS 1.2 warning alerts ignored under IgnoreWarnings (default 16): TOO_MANY_WARNING_ALERTS.
  Status set_max_warning_alerts(uint16_t count);
  // TLS 1.3 KeyUpdates received (default 32): TOO_MANY_KEY_UPDATES.
  Status set_max_key_updates(uint16_t count);
  // TLS 1.3 NewSessionTickets a client receives (default 32): TOO_MANY_SESSION_TICKETS.
  Status set_max_session_tickets(uint16_t count);
  // TLS 1.2 HelloRequests a client receives and ignores, as s2n does (default 16):
  // TOO_MANY_HELLO_REQUESTS. (A TLS 1.2 server refuses every renegotiating ClientHello with
  // a no_renegotiation alert.)
  Status set_max_hello_requests(uint16_t count);

  // --- lifecycle (SPEC 6.1, Connection::set_send_buffer_size) ---
  // Blinding after a failure the peer caused waits a random time in [max/3, max] (default
  // 10-30 s, as s2n); 0 turns blinding off for connections with this config.
  Status set_max_blinding_delay(std::chrono::seconds max);
  // The most bytes one send call carries, 1034 and up (default: no limit).
  Status set_send_buffer_size(uint32_t bytes);

  // --- QUIC mode (SPEC 6.18) ---
  // Every connection with this config runs in QUIC mode (see Connection::enable_quic).
  Status enable_quic();

  Result<Config> build();

 private:
  std::shared_ptr<detail::ConfigData> data_;
  bool built_ = false;
};

}  // namespace snr
