// The handshake: state shared by the client and server step tables, the interface through
// which steps emit messages and install keys, and the step-table types the driver runs.
//
// The handshake never touches records or sockets: the driver hands each step one whole
// handshake message, and steps write whole messages to a HandshakeIo sink (records for TCP,
// raw messages and secrets for QUIC).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/dh.hpp"
#include "crypto/key_share.hpp"
#include "crypto/pkey.hpp"
#include "crypto/provider.hpp"
#include "hs/config_data.hpp"
#include "keys/key_schedule.hpp"
#include "keys/prf12.hpp"
#include "keys/transcript.hpp"
#include "msg/messages.hpp"
#include "msg/messages12.hpp"
#include "policy/registry.hpp"
#include "resume/session_state.hpp"
#include "snr/enums.hpp"
#include "snr/psk.hpp"

namespace snr::hs {

// What the record layer does with application data during the handshake (0-RTT, RFC 8446
// 4.2.10): the client may write it under the early key; the server reads it (accepted) or
// skips what it cannot decrypt (rejected), up to a byte limit.
enum class EarlyMode : uint8_t { None, ClientSending, ServerReceiving, ServerSkipping };

// Where early data stands (Connection::early_data_status).
enum class EarlyState : uint8_t { NotRequested, Requested, Accepted, Rejected };

// Where a step's messages and keys go.
class HandshakeIo {
 public:
  virtual ~HandshakeIo() = default;
  // One whole handshake message (header included), protected with the current write key.
  virtual Status send_message(ByteView message) = 0;
  // A middlebox-compatibility change_cipher_spec record (RFC 8446 D.4).
  virtual Status send_change_cipher_spec() = 0;
  virtual Status set_read_secret(const policy::CipherSuite& suite, ByteView secret) = 0;
  virtual Status set_write_secret(const policy::CipherSuite& suite, ByteView secret) = 0;
  // TLS 1.2 and older: one direction's keys from the key block.
  virtual Status set_read_keys12(const policy::CipherSuite& suite, Version version,
                                 const keys::DirectionKeys& keys) = 0;
  virtual Status set_write_keys12(const policy::CipherSuite& suite, Version version,
                                  const keys::DirectionKeys& keys) = 0;
  // The negotiated version is known: outgoing records carry its wire value (TLS 1.3 records
  // say 0x0303) instead of the first ClientHello's 0x0301.
  virtual void version_known(uint16_t record_version) = 0;
  // 0-RTT: how application data records are treated until the next call, and the limit.
  virtual void set_early_data(EarlyMode mode, uint32_t limit) = 0;
  // The client's second ClientHello after 0-RTT goes out unprotected (RFC 8446 4.1.2).
  virtual Status clear_write_key() = 0;
};

// Handshake-type flags (s2n's bits; names differ between TLS 1.2 and 1.3, see shape.hpp).
namespace flag {
inline constexpr uint32_t NEGOTIATED = 1 << 0;
inline constexpr uint32_t FULL_HANDSHAKE = 1 << 1;
inline constexpr uint32_t CLIENT_AUTH = 1 << 2;
inline constexpr uint32_t NO_CLIENT_CERT = 1 << 3;
inline constexpr uint32_t HELLO_RETRY_REQUEST = 1 << 4;            // TLS 1.3
inline constexpr uint32_t TLS12_PERFECT_FORWARD_SECRECY = 1 << 4;  // TLS 1.2
inline constexpr uint32_t OCSP_STATUS = 1 << 5;                    // TLS 1.2
inline constexpr uint32_t MIDDLEBOX_COMPAT = 1 << 5;               // TLS 1.3
inline constexpr uint32_t WITH_EARLY_DATA = 1 << 6;                // TLS 1.3
inline constexpr uint32_t WITH_SESSION_TICKET = 1 << 6;            // TLS 1.2
inline constexpr uint32_t EARLY_CLIENT_CCS = 1 << 7;               // TLS 1.3
}  // namespace flag

// What the handshake settled; the connection's getters read it.
struct Negotiated {
  Version version = Version::Unknown;
  const policy::CipherSuite* suite = nullptr;
  uint16_t group = 0;
  const policy::SigScheme* sig_scheme = nullptr;  // the server's CertificateVerify scheme
  // Client authentication: the client's CertificateVerify scheme (null: none, or TLS 1.0/1.1),
  // and on a server the client's chain as received (u24-length-prefixed DER certificates).
  const policy::SigScheme* client_sig_scheme = nullptr;
  Bytes client_cert_chain;
  uint32_t flags = 0;
  std::string server_name;  // server: the client's SNI
  CertificateChain peer_chain;
  const CertificateChain* local_chain = nullptr;
  CertSNIMatch cert_match = CertSNIMatch::NoSNI;  // server: how its chain matched the SNI
  crypto::Digest exporter_secret;
  crypto::Digest resumption_secret;
  Bytes alpn;            // the negotiated application protocol (empty: none)
  bool resumed = false;  // a ticket or session id resumed a session
  Bytes psk_identity;    // TLS 1.3: the PSK identity the handshake used
  // TLS 1.3: when the keying material behind this connection's resumption secret expires
  // (a resumption chain cannot outlive its first full handshake by more than a week).
  uint64_t keying_material_expiry = 0;
  // Client: a session the server issued during the handshake (TLS 1.2), for the driver to
  // hand to the application.
  // Heap, not inline: most connections never get one, and every connection carries this.
  std::unique_ptr<resume::ClientSession> issued_session;
  // Server: the session-ID cache key of this connection's session (deleted if it fails).
  Bytes cache_key;
  EarlyState early_data = EarlyState::NotRequested;
  uint32_t max_early_data = 0;  // the early data limit in force (0: none)
  SecureBytes master_secret;    // TLS 1.2 and older
  // TLS 1.2 and older: the hello randoms, with which connection serialization re-derives the
  // key block from master_secret.
  std::array<uint8_t, 32> client_random{};
  std::array<uint8_t, 32> server_random{};
  bool extended_master_secret = false;
  // QUIC mode: the peer's quic_transport_parameters.
  std::optional<Bytes> quic_transport_params;
  // max_fragment_length (RFC 6066 4) in bytes once negotiated (0: none); the driver then
  // limits records both ways.
  uint16_t max_fragment_length = 0;
  // Client: the OCSP response the server stapled (DER OCSPResponse; empty: none).
  Bytes ocsp_response;
};

struct InMessage {
  msg::HandshakeType type;
  ByteView whole;  // header included (what the transcript takes)
  ByteView body;
  // An SSLv2-format CLIENT-HELLO (RFC 5246 E.2): `whole` is the SSLv2 message from msg_type
  // on (what the transcript takes), `body` what follows msg_type.
  bool sslv2 = false;
};

// A step's outcome: go to another step, wait (async work pending), or finish.
struct Outcome {
  enum class Kind : uint8_t { Next, Pause, Done } kind;
  uint8_t next = 0;
};
inline Outcome next(uint8_t step) { return Outcome{Outcome::Kind::Next, step}; }
inline Outcome done() { return Outcome{Outcome::Kind::Done, 0}; }
// The step waits for the application (an async callback); it runs again on the next poll.
inline Outcome pause() { return Outcome{Outcome::Kind::Pause, 0}; }

struct Handshake;
using StepFn = Result<Outcome> (*)(Handshake& hs, const InMessage* in);

// One row of a step table. `accepts` is a bitmask of (1 << HandshakeType) this step
// consumes; 0 means the step sends (it takes no input).
struct StepRow {
  uint8_t id;
  std::string_view name;  // s2n's message name (CLIENT_HELLO, SERVER_CERT, ...)
  uint32_t accepts;
  StepFn fn;
};

// Types above 30 (message_hash, unknown values) are accepted by no step.
constexpr uint32_t accepts(msg::HandshakeType t) {
  return static_cast<uint8_t>(t) < 31 ? uint32_t{1} << static_cast<uint8_t>(t) : 0;
}
// TLS 1.2's ChangeCipherSpec is a record, not a handshake message; a step that waits for it
// accepts this bit and receives an InMessage of type kChangeCipherSpec with no bytes.
inline constexpr uint32_t kAcceptsCcs = uint32_t{1} << 31;
inline constexpr auto kChangeCipherSpec = static_cast<msg::HandshakeType>(31);

// A table's rows must follow its step enum, so that a step id indexes its row.
template <size_t N>
constexpr bool rows_in_order(const StepRow (&rows)[N]) {
  for (size_t i = 0; i < N; ++i)
    if (rows[i].id != i) return false;
  return true;
}

// A private-key operation for the application (Config::Builder::set_private_key_callback;
// pkey_ops.cpp): sign the digest `input` as `params` say with a key of `key_type`, or decrypt
// the RSA ciphertext `input`.
struct PkeyRequest {
  bool decrypt = false;
  crypto::SigParams params{crypto::SigKind::RSA_PKCS1, crypto::HashAlg::SHA256};
  crypto::KeyType key_type = crypto::KeyType::Unknown;
  ByteView input;
};

struct Settings {
  Mode mode = Mode::Client;
  const detail::ConfigData* config = nullptr;
  const detail::PolicyData* policy = nullptr;
  crypto::Provider* provider = nullptr;
  const VerifyHostNameCallback* verify_host = nullptr;  // connection override or config's
  // Client authentication (SPEC 6.13): the connection's override, else the config's, else
  // the role's default.
  ClientAuthType client_auth = ClientAuthType::None;
  std::string server_name;                   // client: SNI and host check
  const std::vector<Bytes>* alpn = nullptr;  // ALPN preferences (may be empty)
  std::function<void(std::string_view label, ByteView client_random, ByteView secret)> key_log;
  // Test seam for the known-answer tests: a client sends this ClientHello body (parsed and
  // re-serialized) instead of building its own; the provider must yield the private key of
  // its first key share.
  Bytes client_hello_override;
  // Client: the session to resume (Connection::set_session_ticket), or null.
  const resume::ClientSession* session = nullptr;
  // External PSKs (Connection::append_psk): client: offered in order; server: accepted.
  std::span<const Psk> external_psks;
  // Client: the application wants to send early data (poll_send_early_data before the
  // handshake started).
  bool send_early_data = false;
  // Server: the most early data it accepts (0: none), and the application's decision hook:
  // returns nullopt while the decision is pending (async).
  uint32_t max_early_data = 0;
  std::function<std::optional<bool>(ByteView context)> decide_early_data;
  // Server: the client hello callback said the server name chose the config
  // (Connection::server_name_extension_used): acknowledge it (RFC 6066 3).
  bool server_name_used = false;
  // Test seam: the highest version a client offers (tests of TLS 1.0/1.1 with policies that
  // also allow TLS 1.2).
  Version version_cap = Version::TLS13;
  // Test seam for the known-answer tests: a server takes the session state behind a PSK
  // identity from here instead of opening the identity as one of its tickets (a recorded
  // trace's ticket was sealed by another server). Nullopt: not a session it knows.
  std::function<std::optional<resume::SessionState>(ByteView identity)> psk_state_override;
  // QUIC mode (RFC 9001 8): TLS 1.3 only, no middlebox compatibility (empty session id, no
  // CCS), no EndOfEarlyData, and quic_transport_parameters carrying these bytes both ways.
  bool quic = false;
  Bytes quic_transport_params;
  // Each secret as the key schedule derives it, under its key-log label (the QUIC layer's
  // secret callback; called with or without a key log).
  std::function<void(std::string_view label, ByteView secret)> on_secret;
  // Private-key offload (empty: the config's key signs): the operation's output, nullopt
  // while the application works on it (the step pauses and runs again once it is done).
  std::function<Result<std::optional<SecureBytes>>(const PkeyRequest& req)> pkey_offload;
  // The application's verdict on a validated peer chain (leaf first); empty: none.
  std::function<Status(std::span<const Certificate> path)> cert_validation;
  // Client: the application's chain for a CertificateRequest (its signature schemes and
  // certificate_authorities names); nullptr lets the config's chains decide, an error fails
  // the handshake. Empty: no such callback.
  std::function<Result<const detail::CertifiedKey*>(std::span<const uint16_t> schemes,
                                                    std::span<const Bytes> authorities)>
      cert_request;
};

struct Handshake {
  Settings settings;
  Negotiated* out = nullptr;
  HandshakeIo* io = nullptr;
  std::span<const StepRow> steps;  // the table being run (switches when the version is known)
  uint8_t step = 0;

  keys::Transcript transcript;
  // Each message sent is serialized here (out_buffer() in common13.hpp): one buffer for the
  // whole handshake instead of one per message.
  Bytes scratch;
  std::optional<keys::KeySchedule> ks;
  std::array<uint8_t, 32> client_random{};
  std::array<uint8_t, 32> server_random{};
  msg::SessionId session_id;
  std::vector<crypto::KeyShare> key_shares;  // client: offered; server: its one share
  bool hello_retry = false;
  bool ccs_sent = false;

  // client
  SmallVector<uint16_t, 16> offered_ext;  // extension types sent in the ClientHello
  Bytes cookie;
  std::optional<crypto::PublicKey> peer_key;
  // Client authentication. cert_requested: client: the server asked; server: it asked.
  bool cert_requested = false;
  Bytes cert_request_context;
  std::vector<uint16_t> cert_request_schemes;  // the CertificateRequest's signature schemes
  std::vector<uint8_t> cert_request_types;     // TLS 1.2: its certificate_types
  // Client: the certificate it answers with and the scheme it signs with (null: none sent).
  const detail::CertifiedKey* client_cert = nullptr;
  const policy::SigScheme* client_scheme = nullptr;
  // TLS 1.2 resumption: the resumed session's client_authenticated (new tickets keep it).
  bool resumed_client_auth = false;

  // server
  std::optional<msg::ClientHello> first_hello;  // kept across HelloRetryRequest
  const detail::CertifiedKey* cert = nullptr;
  // OCSP stapling (RFC 6066 8): server: it staples hs.cert's response; TLS 1.2 client: the
  // server acknowledged status_request, so a CertificateStatus may follow its Certificate.
  bool ocsp_stapling = false;
  // TLS 1.3: the CertificateRequest carried status_request (the client may staple).
  bool ocsp_client_status = false;

  // TLS 1.3 PSKs: client: the ones offered, in order; both: the one in use.
  struct Psk {
    Bytes identity;
    uint32_t obfuscated_age = 0;
    SecureBytes secret;
    crypto::HashAlg hash = crypto::HashAlg::SHA256;
    bool external = false;
    std::optional<resume::SessionState> state;  // resumption: what the ticket held
  };
  std::vector<Psk> offered_psks;
  std::optional<Psk> psk;
  uint16_t psk_index = 0;       // server: the chosen identity's index
  crypto::Digest early_secret;  // client_early_traffic_secret while 0-RTT is in play
  const policy::CipherSuite* early_suite = nullptr;
  bool psk_dhe = true;  // psk_dhe_ke (with a key share) rather than psk_ke

  // TLS 1.2 and older
  Version version = Version::Unknown;
  bool offered_tls13 = false;   // client: whether supported_versions offered TLS 1.3
  uint16_t client_version = 0;  // the ClientHello's legacy_version (RSA premaster check)
  bool ems = false;             // extended_master_secret negotiated
  SecureBytes pre_master;
  std::optional<keys::KeyBlock> key_block;
  Bytes kx_public;  // client: our ECDHE/DHE public value, or the encrypted RSA premaster
  std::optional<crypto::DhKey> dh_key;  // server: its DHE key until ClientKeyExchange
  bool secure_renegotiation = false;    // server: the client signalled RFC 5746 support
  bool resumed12 = false;               // an abbreviated handshake (RFC 5246 7.3)
  bool ticket12 = false;                // a NewSessionTicket follows (the ServerHello said so)
  bool cache12 = false;                 // server: the session goes into the session-ID cache
  Bytes new_ticket12;                   // client: the ticket received
  uint32_t new_ticket12_hint = 0;

  // Private-key offload (pkey_ops.cpp): an operation is with the application; the paused
  // step's work so far (the ServerKeyExchange and its fresh key share) waits here.
  bool pkey_in_flight = false;
  std::optional<msg::ServerKeyExchange> held_ske;

  const StepRow& row() const;
  std::string_view step_name() const { return row().name; }
  bool expects_message() const { return row().accepts != 0; }
};

// Creates the handshake for settings.mode.
std::unique_ptr<Handshake> start(Settings settings, Negotiated* out);

// Runs one step. For a receiving step `in` is the message (the driver has checked that the
// step accepts its type); for a sending step it is null.
Result<Outcome> run_step(Handshake& hs, const InMessage* in);

// The step tables (client13.cpp, server13.cpp, client12.cpp, server12.cpp).
std::span<const StepRow> client13_steps();
std::span<const StepRow> server13_steps();
std::span<const StepRow> client12_steps();
std::span<const StepRow> server12_steps();

// Version hand-offs: the TLS 1.3 hello steps switch tables when TLS 1.2 or older is chosen.
// Server: `ch` was accepted for `version`; continues with the TLS 1.2 server steps.
Result<Outcome> continue_server12(Handshake& hs, const InMessage& in, msg::ClientHello ch,
                                  Version version);
// Client: `sh` chose `version` < TLS 1.3; continues with the TLS 1.2 client steps.
Result<Outcome> continue_client12(Handshake& hs, const InMessage& in, const msg::ServerHello& sh,
                                  Version version);

}  // namespace snr::hs
