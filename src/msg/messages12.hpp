// TLS 1.2 (and 1.0/1.1) handshake messages that TLS 1.3 does not share (RFC 5246 7.4,
// RFC 8422 5, RFC 4346/2246 for the older versions). Same conventions as messages.hpp:
// parse_*() take the body; serialize() appends header + body.
#pragma once

#include <cstdint>
#include <vector>

#include "msg/types.hpp"
#include "snr/error.hpp"
#include "util/bytes.hpp"

namespace snr::msg {

// Certificate (RFC 5246 7.4.2): u24 list of u24-prefixed DER certificates.
struct Certificate12 {
  std::vector<Bytes> certs;
};

enum class KxKind : uint8_t { ECDHE, DHE, RSA };

// ServerKeyExchange (RFC 8422 5.4 for ECDHE, RFC 5246 7.4.3 for DHE).
struct ServerKeyExchange {
  KxKind kind = KxKind::ECDHE;
  // ECDHE: ServerECDHParams with curve_type named_curve (3) — the only type accepted.
  uint16_t group = 0;
  Bytes point;  // u8-prefixed, non-empty
  // DHE: ServerDHParams, each u16-prefixed and non-empty.
  Bytes dh_p, dh_g, dh_ys;
  // TLS 1.2: the signature scheme; 0 for TLS 1.0/1.1 (no field on the wire).
  uint16_t scheme = 0;
  Bytes signature;  // u16-prefixed, non-empty

  // The params exactly as they appear on the wire: what the signature covers (after the
  // two randoms).
  Bytes params() const;
};

// ClientKeyExchange (RFC 5246 7.4.7, RFC 8422 5.7): ECDHE: u8-prefixed point; DHE: u16-prefixed
// Yc; RSA: u16-prefixed EncryptedPreMasterSecret (TLS 1.0+). Each non-empty.
struct ClientKeyExchange {
  KxKind kind = KxKind::ECDHE;
  Bytes exchange;
};

// NewSessionTicket (RFC 5077 3.3): u32 lifetime hint, ticket<0..2^16-1>.
struct NewSessionTicket12 {
  uint32_t lifetime_hint = 0;
  Bytes ticket;
};

// CertificateRequest (RFC 5246 7.4.4; RFC 4346 7.4.4 without the signature algorithms).
struct CertificateRequest12 {
  // ClientCertificateType certificate_types<1..2^8-1>: rsa_sign (1), ecdsa_sign (64), ...
  std::vector<uint8_t> certificate_types;
  // TLS 1.2 only: supported_signature_algorithms<2..2^16-2>.
  std::vector<uint16_t> signature_algorithms;
  // DistinguishedName certificate_authorities<0..2^16-1> (DER names).
  std::vector<Bytes> certificate_authorities;
};
inline constexpr uint8_t kCertTypeRsaSign = 1;
inline constexpr uint8_t kCertTypeEcdsaSign = 64;

// CertificateVerify (RFC 5246 7.4.8): the signature over all handshake messages so far.
struct CertificateVerify12 {
  uint16_t scheme = 0;  // TLS 1.2; 0 for TLS 1.0/1.1 (no field on the wire)
  Bytes signature;      // u16-prefixed, non-empty
};

// with_scheme: TLS 1.2 carries the SignatureAndHashAlgorithm; TLS 1.0/1.1 do not.
Result<CertificateRequest12> parse_certificate_request12(ByteView body, bool with_schemes);
Result<CertificateVerify12> parse_certificate_verify12(ByteView body, bool with_scheme);
Result<Certificate12> parse_certificate12(ByteView body);
Result<ServerKeyExchange> parse_server_key_exchange(ByteView body, KxKind kind, bool with_scheme);
Status parse_server_hello_done(ByteView body);  // must be empty
Result<ClientKeyExchange> parse_client_key_exchange(ByteView body, KxKind kind);

Result<NewSessionTicket12> parse_new_session_ticket12(ByteView body);

Status serialize(const Certificate12& m, Bytes& out);
Status serialize(const NewSessionTicket12& m, Bytes& out);
Status serialize(const ServerKeyExchange& m, Bytes& out);
Status serialize_server_hello_done(Bytes& out);
Status serialize(const ClientKeyExchange& m, Bytes& out);
// signature_algorithms are written when non-empty (TLS 1.2).
Status serialize(const CertificateRequest12& m, Bytes& out);
Status serialize(const CertificateVerify12& m, Bytes& out);

}  // namespace snr::msg
