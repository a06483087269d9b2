// Handshake messages as structs: each is fully parsed before any logic looks at it, and each
// serializes back to the same bytes it was parsed from.
//
// parse_*() take the message body (without the 4-byte handshake header); a syntax error is
// Err::DECODE (decode_error), a repeated extension Err::DUPLICATE_EXTENSION, a known
// extension in a message that may not carry it Err::ILLEGAL_PARAMETER (RFC 8446 4.2).
// serialize() appends the whole message, header included, to `out`.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "msg/types.hpp"
#include "snr/error.hpp"
#include "util/bytes.hpp"
#include "util/small_vector.hpp"

namespace snr::msg {

// Room for the classic groups' shares (P-521's 133 bytes); longer ones go to the heap.
using KeyExchange = SmallVector<uint8_t, 133>;
// A legacy session id (at most 32 bytes).
using SessionId = SmallVector<uint8_t, 32>;

struct KeyShareEntry {
  uint16_t group = 0;
  KeyExchange key_exchange;
  bool operator==(const KeyShareEntry&) const = default;
};

// One offered PSK identity (RFC 8446 4.2.11).
struct PskIdentity {
  Bytes identity;
  uint32_t obfuscated_ticket_age = 0;
  bool operator==(const PskIdentity&) const = default;
};

struct RawExtension {
  uint16_t type = 0;
  Bytes data;
  bool operator==(const RawExtension&) const = default;
};

// The message an extension block belongs to; it decides each extension's syntax.
enum class Where : uint8_t {
  ClientHello,
  ServerHello,
  HelloRetryRequest,
  EncryptedExtensions,
  CertificateEntry,
  CertificateRequest,
  NewSessionTicket,
};

// One field per extension snr understands. `order` lists the extension types present, in
// wire order: parse() fills it, serialize() writes exactly those, in that order. add() sets
// a type present (appending it to `order` once).
struct Extensions {
  // Inline room for the extensions of a usual ClientHello.
  SmallVector<uint16_t, 16> order;

  bool has(uint16_t type) const;
  void add(uint16_t type);

  // server_name: ClientHello carries the host name; an empty value in EncryptedExtensions
  // (or ServerHello for TLS 1.2) is the server's acknowledgement.
  std::string server_name;
  // The lists of a usual ClientHello fit inline.
  SmallVector<uint16_t, 12> supported_groups;
  SmallVector<uint16_t, 16> signature_algorithms;
  std::vector<uint16_t> signature_algorithms_cert;
  // ClientHello: the offered list. ServerHello/HelloRetryRequest: selected_version.
  SmallVector<uint16_t, 6> supported_versions;
  uint16_t selected_version = 0;
  // ClientHello: the offered shares. ServerHello: exactly one entry.
  SmallVector<KeyShareEntry, 2> key_shares;
  // HelloRetryRequest: the group the server asks for.
  uint16_t hrr_group = 0;
  Bytes cookie;
  SmallVector<uint8_t, 4> psk_key_exchange_modes;
  // ALPN protocol names (ClientHello: offered; server: exactly one).
  std::vector<Bytes> alpn;
  SmallVector<uint8_t, 4> ec_point_formats;
  Bytes renegotiation_info;
  // record_size_limit (RFC 8449)
  uint16_t record_size_limit = 0;
  // max_fragment_length (RFC 6066 4): the code, 1-4 (2^9 to 2^12 bytes); the server echoes it.
  uint8_t max_fragment_length = 0;
  // pre_shared_key (RFC 8446 4.2.11). ClientHello: identities and their binders (same count);
  // ServerHello: the selected identity's index.
  std::vector<PskIdentity> psk_identities;
  std::vector<Bytes> psk_binders;
  uint16_t psk_selected_identity = 0;
  // early_data (RFC 8446 4.2.10): empty in ClientHello and EncryptedExtensions; in
  // NewSessionTicket the server's max_early_data_size.
  uint32_t max_early_data_size = 0;
  // session_ticket (RFC 5077 3.2): the client's ticket (empty to ask for one); the server's
  // acknowledgement is empty.
  Bytes session_ticket;
  // quic_transport_parameters (RFC 9001 8.2): opaque to TLS; ClientHello and
  // EncryptedExtensions.
  Bytes quic_transport_parameters;
  // Extensions carried but not interpreted (unknown types; also kept for inspection).
  std::vector<RawExtension> unknown;
};

struct ClientHello {
  uint16_t legacy_version = version::TLS12;
  std::array<uint8_t, 32> random{};
  SessionId session_id;
  SmallVector<uint16_t, 24> cipher_suites;
  SmallVector<uint8_t, 4> compression_methods{0};
  Extensions ext;
};

// Also carries a HelloRetryRequest (RFC 8446 4.1.3), told apart by its random.
struct ServerHello {
  uint16_t legacy_version = version::TLS12;
  std::array<uint8_t, 32> random{};
  SessionId session_id;
  uint16_t cipher_suite = 0;
  uint8_t compression_method = 0;
  Extensions ext;

  bool is_hello_retry_request() const;
};

struct EncryptedExtensions {
  Extensions ext;
};

struct CertificateEntry {
  Bytes cert_data;  // DER
  Extensions ext;
};

// TLS 1.3 Certificate (RFC 8446 4.4.2).
struct Certificate {
  Bytes request_context;
  std::vector<CertificateEntry> entries;
};

struct CertificateRequest {
  Bytes context;
  Extensions ext;
};

// certificate_authorities (RFC 8446 4.2.4; RFC 5246 7.4.4 has the same list in its
// CertificateRequest): DistinguishedName authorities<3..2^16-1> (TLS 1.2: <0..2^16-1>), each
// opaque DistinguishedName<1..2^16-1> (DER). `data` is the whole list, length included.
Result<std::vector<Bytes>> parse_certificate_authorities(ByteView data, bool allow_empty);
// Appends the length-prefixed list; false when it does not fit its encoding.
bool write_certificate_authorities(const std::vector<Bytes>& names, Bytes& out);

struct CertificateVerify {
  uint16_t scheme = 0;
  Bytes signature;
};

struct Finished {
  // A hash's length in TLS 1.3, 12 bytes before; a peer's longer one spills to the heap.
  SmallVector<uint8_t, 64> verify_data;
};

struct NewSessionTicket {
  uint32_t lifetime = 0;
  uint32_t age_add = 0;
  Bytes nonce;
  Bytes ticket;
  Extensions ext;
};

struct KeyUpdate {
  uint8_t request_update = 0;  // 0 update_not_requested, 1 update_requested
};

Result<ClientHello> parse_client_hello(ByteView body);
Result<ServerHello> parse_server_hello(ByteView body);
Result<EncryptedExtensions> parse_encrypted_extensions(ByteView body);
Result<Certificate> parse_certificate(ByteView body);
Result<CertificateRequest> parse_certificate_request(ByteView body);
Result<CertificateVerify> parse_certificate_verify(ByteView body);
Result<Finished> parse_finished(ByteView body);
Result<NewSessionTicket> parse_new_session_ticket(ByteView body);
Result<KeyUpdate> parse_key_update(ByteView body);

// The size of the ClientHello's PSK binders list, length prefix included: what a binder's
// transcript leaves off the end of the ClientHello (RFC 8446 4.2.11.2). 0 without binders.
size_t psk_binders_size(const Extensions& ext);

// Parses an extension block (the u16-length-prefixed list) for message `where`.
Status parse_extensions(ByteView block, Where where, Extensions& out);
// Appends the u16-length-prefixed extension block (written even when empty).
void write_extensions(const Extensions& ext, Where where, Bytes& out);

Status serialize(const ClientHello& m, Bytes& out);
Status serialize(const ServerHello& m, Bytes& out);
Status serialize(const EncryptedExtensions& m, Bytes& out);
Status serialize(const Certificate& m, Bytes& out);
Status serialize(const CertificateRequest& m, Bytes& out);
Status serialize(const CertificateVerify& m, Bytes& out);
Status serialize(const Finished& m, Bytes& out);
Status serialize(const NewSessionTicket& m, Bytes& out);
Status serialize(const KeyUpdate& m, Bytes& out);

// The synthetic message_hash message that replaces ClientHello1 in the transcript after a
// HelloRetryRequest (RFC 8446 4.4.1): type 254, length = hash length, then the hash.
Bytes message_hash(ByteView client_hello1_hash);

}  // namespace snr::msg
