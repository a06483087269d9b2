// TLS 1.2 (and 1.0/1.1) handshake messages: Certificate, ServerKeyExchange, ServerHelloDone,
// ClientKeyExchange (RFC 5246 7.4, RFC 8422 5.4 / 5.7).
#include "msg/messages12.hpp"

#include <utility>

#include "msg/codec.hpp"
#include "msg/messages.hpp"
#include "util/error_code.hpp"
#include "wire/reader.hpp"
#include "wire/writer.hpp"

namespace snr::msg {

using detail::decode_error;
using detail::write_message;

namespace {

// ECCurveType (RFC 8422 5.4): only named_curve remains; explicit_prime (1) and explicit_char2
// (2) are deprecated and MUST NOT be used.
constexpr uint8_t kNamedCurve = 3;

// A non-empty length-prefixed field, copied out.
template <int N>
bool read_nonempty(wire::Reader& r, Bytes& out) {
  ByteView v;
  if (!r.prefixed_bytes<N>(v) || v.empty()) return false;
  out.assign(v.begin(), v.end());
  return true;
}

// The params part of a ServerKeyExchange; false when a field is empty (the parser would reject
// what we wrote) or does not fit its length prefix (the writer notes that).
bool write_params(const ServerKeyExchange& m, wire::Writer& w) {
  switch (m.kind) {
    case KxKind::ECDHE:
      w.u8(kNamedCurve);
      w.u16(m.group);
      w.prefixed_bytes<1>(m.point);
      return !m.point.empty();
    case KxKind::DHE:
      w.prefixed_bytes<2>(m.dh_p);
      w.prefixed_bytes<2>(m.dh_g);
      w.prefixed_bytes<2>(m.dh_ys);
      return !m.dh_p.empty() && !m.dh_g.empty() && !m.dh_ys.empty();
    case KxKind::RSA:
      break;
  }
  // RSA key exchange has no ServerKeyExchange (export suites are gone).
  return false;
}

}  // namespace

// RFC 5246 7.4.2. An empty list is well-formed; whether it is acceptable is the handshake's
// decision (a client may send one in reply to a CertificateRequest).
Result<Certificate12> parse_certificate12(ByteView body) {
  wire::Reader r(body);
  wire::Reader list;
  if (!r.prefixed<3>(list) || !r.empty()) return decode_error("Certificate");
  Certificate12 m;
  while (!list.empty()) {
    Bytes der;
    // ASN.1Cert certificate_list<0..2^24-1>; opaque ASN.1Cert<1..2^24-1>
    if (!read_nonempty<3>(list, der)) return decode_error("Certificate entry");
    m.certs.push_back(std::move(der));
  }
  return m;
}

// RFC 8422 5.4 (ECDHE) and RFC 5246 7.4.3 (DHE).
Result<ServerKeyExchange> parse_server_key_exchange(ByteView body, KxKind kind, bool with_scheme) {
  if (kind == KxKind::RSA) {
    return make_error(Err::UNEXPECTED_MESSAGE, "ServerKeyExchange with RSA key exchange");
  }
  wire::Reader r(body);
  ServerKeyExchange m;
  m.kind = kind;
  if (kind == KxKind::ECDHE) {
    uint8_t curve_type = 0;
    if (!r.u8(curve_type)) return decode_error("ServerKeyExchange curve_type");
    if (curve_type != kNamedCurve) {
      return make_error(Err::ILLEGAL_PARAMETER, "ServerKeyExchange: only named curves allowed");
    }
    if (!r.u16(m.group) || !read_nonempty<1>(r, m.point)) {
      return decode_error("ServerECDHParams");
    }
  } else {
    // opaque dh_p<1..2^16-1>, dh_g<1..2^16-1>, dh_Ys<1..2^16-1>
    if (!read_nonempty<2>(r, m.dh_p) || !read_nonempty<2>(r, m.dh_g) ||
        !read_nonempty<2>(r, m.dh_ys)) {
      return decode_error("ServerDHParams");
    }
  }
  if (with_scheme && !r.u16(m.scheme)) return decode_error("ServerKeyExchange scheme");
  if (!read_nonempty<2>(r, m.signature) || !r.empty()) {
    return decode_error("ServerKeyExchange signature");
  }
  return m;
}

// RFC 5246 7.4.5: struct { } ServerHelloDone;
Status parse_server_hello_done(ByteView body) {
  if (!body.empty()) return decode_error("ServerHelloDone is not empty");
  return {};
}

// RFC 5246 7.4.7 / RFC 8422 5.7.
Result<ClientKeyExchange> parse_client_key_exchange(ByteView body, KxKind kind) {
  wire::Reader r(body);
  ClientKeyExchange m;
  m.kind = kind;
  bool ok = false;
  switch (kind) {
    case KxKind::ECDHE:
      ok = read_nonempty<1>(r, m.exchange);  // opaque point <1..2^8-1>
      break;
    case KxKind::DHE:
      ok = read_nonempty<2>(r, m.exchange);  // opaque dh_Yc<1..2^16-1>
      break;
    case KxKind::RSA:
      // TLS 1.0 and later prefix the EncryptedPreMasterSecret (SSLv3 did not).
      ok = read_nonempty<2>(r, m.exchange);
      break;
  }
  if (!ok || !r.empty()) return decode_error("ClientKeyExchange");
  return m;
}

// RFC 5246 7.4.4.
Result<CertificateRequest12> parse_certificate_request12(ByteView body, bool with_schemes) {
  wire::Reader r(body);
  CertificateRequest12 m;
  ByteView types;
  if (!r.prefixed_bytes<1>(types) || types.empty()) return decode_error("certificate_types");
  m.certificate_types.assign(types.begin(), types.end());
  if (with_schemes) {
    wire::Reader list;
    if (!r.prefixed<2>(list) || list.empty() || list.remaining() % 2 != 0)
      return decode_error("supported_signature_algorithms");
    uint16_t v = 0;
    while (list.u16(v)) m.signature_algorithms.push_back(v);
  }
  // What is left is the certificate_authorities list, its length included.
  ByteView rest;
  if (!r.bytes(r.remaining(), rest)) return decode_error("CertificateRequest");
  SNR_TRY_ASSIGN(m.certificate_authorities, parse_certificate_authorities(rest, true));
  return m;
}

// RFC 5246 7.4.8 (digitally-signed struct, 4.7); TLS 1.0/1.1 have no algorithm field.
Result<CertificateVerify12> parse_certificate_verify12(ByteView body, bool with_scheme) {
  wire::Reader r(body);
  CertificateVerify12 m;
  if (with_scheme && !r.u16(m.scheme)) return decode_error("CertificateVerify scheme");
  if (!read_nonempty<2>(r, m.signature) || !r.empty()) return decode_error("CertificateVerify");
  return m;
}

Status serialize(const CertificateRequest12& m, Bytes& out) {
  return write_message(HandshakeType::certificate_request, out, [&](wire::Writer& w) {
    w.prefixed_bytes<1>(m.certificate_types);
    if (!m.signature_algorithms.empty()) {
      w.prefixed<2>([&](wire::Writer& list) {
        for (uint16_t v : m.signature_algorithms) list.u16(v);
      });
    }
    Bytes names;
    const bool ok = write_certificate_authorities(m.certificate_authorities, names);
    w.bytes(names);
    return ok && !m.certificate_types.empty();
  });
}

Status serialize(const CertificateVerify12& m, Bytes& out) {
  return write_message(HandshakeType::certificate_verify, out, [&](wire::Writer& w) {
    if (m.scheme != 0) w.u16(m.scheme);
    w.prefixed_bytes<2>(m.signature);
    return !m.signature.empty();
  });
}

Bytes ServerKeyExchange::params() const {
  Bytes out;
  wire::Writer w(out);
  if (!write_params(*this, w) || !w.ok()) return {};
  return out;
}

Status serialize(const Certificate12& m, Bytes& out) {
  return write_message(HandshakeType::certificate, out, [&](wire::Writer& w) {
    bool ok = true;
    w.prefixed<3>([&](wire::Writer& list) {
      for (const Bytes& der : m.certs) {
        ok = ok && !der.empty();
        list.prefixed_bytes<3>(der);
      }
    });
    return ok;
  });
}

Status serialize(const ServerKeyExchange& m, Bytes& out) {
  return write_message(HandshakeType::server_key_exchange, out, [&](wire::Writer& w) {
    bool ok = write_params(m, w);
    // TLS 1.0/1.1 have no scheme field; 0 is not a valid scheme, so it marks their absence.
    if (m.scheme != 0) w.u16(m.scheme);
    w.prefixed_bytes<2>(m.signature);
    return ok && !m.signature.empty();
  });
}

Result<NewSessionTicket12> parse_new_session_ticket12(ByteView body) {
  wire::Reader r(body);
  NewSessionTicket12 m;
  ByteView ticket;
  if (!r.u32(m.lifetime_hint) || !r.prefixed_bytes<2>(ticket) || !r.empty())
    return decode_error("NewSessionTicket");
  m.ticket.assign(ticket.begin(), ticket.end());
  return m;
}

Status serialize(const NewSessionTicket12& m, Bytes& out) {
  return write_message(HandshakeType::new_session_ticket, out, [&](wire::Writer& w) {
    w.u32(m.lifetime_hint);
    w.prefixed_bytes<2>(m.ticket);
    return true;
  });
}

Status serialize_server_hello_done(Bytes& out) {
  return write_message(HandshakeType::server_hello_done, out, [](wire::Writer&) { return true; });
}

Status serialize(const ClientKeyExchange& m, Bytes& out) {
  return write_message(HandshakeType::client_key_exchange, out, [&](wire::Writer& w) {
    if (m.kind == KxKind::ECDHE) {
      w.prefixed_bytes<1>(m.exchange);
    } else {
      w.prefixed_bytes<2>(m.exchange);
    }
    return !m.exchange.empty();
  });
}

}  // namespace snr::msg
