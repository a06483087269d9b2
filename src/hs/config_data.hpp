// The contents of a built snr::Config, as the handshake reads them.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "crypto/pkey.hpp"
#include "crypto/x509.hpp"
#include "hs/cert_select.hpp"
#include "policy/policy_data.hpp"
#include "snr/callbacks.hpp"
#include "snr/cert_chain.hpp"
#include "snr/enums.hpp"

namespace snr::crypto {
class DhParams;
}
namespace snr::resume {
class TicketKeyStore;
}

namespace snr::detail {

// A certificate chain with its private key (what a server presents).
struct CertifiedKey {
  std::vector<Bytes> chain_der;  // leaf first
  CertificateChain chain;
  std::optional<crypto::PrivateKey> key;  // none: load_public_pem (the callback signs)
  crypto::KeyType key_type;
  // DER OCSPResponse stapled with this chain when the client asks (empty: none).
  Bytes ocsp_response;
};

// Bounds on what a peer may make a connection hold or do (Config::Builder::set_max_*). The
// counted events are reset by each non-empty application data record.
struct Limits {
  uint32_t max_handshake_message = 64 * 1024;  // bytes, one handshake message
  uint16_t max_cert_chain_length = 16;         // certificates in the peer's Certificate
  uint16_t max_empty_records = 32;             // consecutive empty application data records
  uint16_t max_warning_alerts = 16;            // TLS 1.2 warnings (AlertBehavior::IgnoreWarnings)
  uint16_t max_key_updates = 32;               // TLS 1.3 KeyUpdates received
  uint16_t max_session_tickets = 32;           // TLS 1.3 NewSessionTickets received
  uint16_t max_hello_requests = 16;            // TLS 1.2 HelloRequests received (ignored)
};

struct ConfigData {
  const PolicyData* policy = nullptr;
  std::optional<CertifiedKey> cert;  // load_pem / load_public_pem (library-owned)
  CertStore chains;                  // load_chain (and, once built, the above): SNI selection
  std::shared_ptr<const crypto::DhParams> dh_params;  // for the DHE suites
  std::vector<Bytes> alpn;                            // ALPN preferences
  std::shared_ptr<crypto::TrustStore> trust;
  bool system_certs = true;
  bool verify_x509 = true;
  uint16_t max_chain_depth = 7;
  VerifyHostNameCallback verify_host;
  // Client authentication (SPEC 6.13). Unset: the role's default (server None, client
  // Optional).
  std::optional<ClientAuthType> client_auth;
  // Server: the trust store's subject names for CertificateRequest's certificate_authorities
  // (DER, filled by build() when set_certificate_authorities_from_trust_store was called).
  bool ca_names_from_trust = false;
  std::vector<Bytes> ca_names;
  KeyLogCallback key_log;
  WallClock wall_clock;
  MonotonicClock monotonic_clock;
  SerializationVersion serialization_version = SerializationVersion::None;
  Limits limits;
  AlertBehavior alert_behavior = AlertBehavior::FailOnWarnings;
  // Blinding delay range in ns (SPEC 6.1); max 0 = no blinding.
  uint64_t blinding_min_ns = 10'000'000'000;
  uint64_t blinding_max_ns = 30'000'000'000;
  uint32_t send_buffer_size = 0;  // 0: no limit per send call
  bool quic = false;              // Config::Builder::enable_quic
  // max_fragment_length (RFC 6066 4): the code a client asks for (0: none); whether a server
  // grants requests (s2n ignores them unless told to).
  uint8_t send_mfl = 0;
  bool accept_mfl = false;
  // OCSP stapling (RFC 6066 8): a client asks for it; and checks a stapled response (when it
  // verifies certificates at all).
  bool ocsp_request = false;
  bool check_ocsp = true;

  // resumption
  bool session_tickets = false;
  std::shared_ptr<resume::TicketKeyStore> ticket_keys;  // created with the first key
  uint16_t ticket_count = 0;                            // TLS 1.3 tickets per handshake (0: unset)
  bool ticket_count_set = false;
  bool require_ticket_fs = false;
  uint64_t session_state_lifetime = 15ull * 3600 * 1'000'000'000;  // ns
  SessionTicketCallback ticket_cb;
  uint32_t max_early_data = 0;
  EarlyDataCallback early_data_cb;
  ClientHelloCallback client_hello_cb;
  ConnectionInitializer connection_initializer;  // run by each connection's first poll_negotiate
  CertificateRequestCallback cert_request_cb;    // client: chooses its chain for a request
  PrivateKeyCallback private_key_cb;
  CertValidationCallback cert_validation_cb;
  std::optional<SessionCache> session_cache;

  // Whether a server has anything to present (either kind of chain).
  bool has_cert() const { return cert.has_value() || chains.has_app_chains(); }

  // Monotonic now in ns (the injected clock, else steady_clock).
  uint64_t monotonic_now() const {
    if (monotonic_clock) return monotonic_clock();
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::steady_clock::now().time_since_epoch())
                                     .count());
  }
  // Wall-clock now in ns (the injected clock, else the system's).
  uint64_t now() const {
    if (wall_clock) return wall_clock();
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  }
};

}  // namespace snr::detail
