// The TLS 1.3 handshake messages after the hellos (RFC 8446 4.3 - 4.6), and message_hash.
#include <utility>

#include "msg/codec.hpp"
#include "util/error_code.hpp"
#include "wire/reader.hpp"
#include "wire/writer.hpp"

namespace snr::msg {

using detail::decode_error;
using detail::write_message;

namespace {

// Messages that are nothing but an extension block.
Status read_extensions_only(ByteView body, Where where, Extensions& out) {
  wire::Reader r(body);
  SNR_TRY(detail::read_extensions(r, where, out));
  if (!r.empty()) return decode_error("data after extensions");
  return {};
}

}  // namespace

// RFC 8446 4.3.1
Result<EncryptedExtensions> parse_encrypted_extensions(ByteView body) {
  EncryptedExtensions m;
  SNR_TRY(read_extensions_only(body, Where::EncryptedExtensions, m.ext));
  return m;
}

// RFC 8446 4.4.2. An empty certificate_list is well-formed; whether it is acceptable is the
// handshake's decision.
Result<Certificate> parse_certificate(ByteView body) {
  wire::Reader r(body);
  Certificate m;
  ByteView context;
  wire::Reader list;
  if (!r.prefixed_bytes<1>(context) || !r.prefixed<3>(list) || !r.empty())
    return decode_error("Certificate");
  m.request_context.assign(context.begin(), context.end());
  while (!list.empty()) {
    CertificateEntry entry;
    ByteView der;
    // opaque cert_data<1..2^24-1>
    if (!list.prefixed_bytes<3>(der) || der.empty()) return decode_error("Certificate entry");
    entry.cert_data.assign(der.begin(), der.end());
    SNR_TRY(detail::read_extensions(list, Where::CertificateEntry, entry.ext));
    m.entries.push_back(std::move(entry));
  }
  return m;
}

// RFC 8446 4.3.2
Result<CertificateRequest> parse_certificate_request(ByteView body) {
  wire::Reader r(body);
  CertificateRequest m;
  ByteView context;
  if (!r.prefixed_bytes<1>(context)) return decode_error("CertificateRequest");
  m.context.assign(context.begin(), context.end());
  SNR_TRY(detail::read_extensions(r, Where::CertificateRequest, m.ext));
  if (!r.empty()) return decode_error("data after CertificateRequest");
  return m;
}

Result<std::vector<Bytes>> parse_certificate_authorities(ByteView data, bool allow_empty) {
  wire::Reader r(data);
  wire::Reader list;
  if (!r.prefixed<2>(list) || !r.empty() || (list.empty() && !allow_empty))
    return decode_error("certificate_authorities");
  std::vector<Bytes> names;
  while (!list.empty()) {
    ByteView dn;
    if (!list.prefixed_bytes<2>(dn) || dn.empty())
      return decode_error("certificate_authorities entry");
    names.emplace_back(dn.begin(), dn.end());
  }
  return names;
}

bool write_certificate_authorities(const std::vector<Bytes>& names, Bytes& out) {
  const size_t start = out.size();
  wire::Writer w(out);
  bool ok = true;
  w.prefixed<2>([&](wire::Writer& list) {
    for (const Bytes& dn : names) {
      ok = ok && !dn.empty();
      list.prefixed_bytes<2>(dn);
    }
  });
  if (!w.ok() || !ok) {
    out.resize(start);
    return false;
  }
  return true;
}

// RFC 8446 4.4.3
Result<CertificateVerify> parse_certificate_verify(ByteView body) {
  wire::Reader r(body);
  CertificateVerify m;
  ByteView signature;
  if (!r.u16(m.scheme) || !r.prefixed_bytes<2>(signature) || signature.empty() || !r.empty())
    return decode_error("CertificateVerify");
  m.signature.assign(signature.begin(), signature.end());
  return m;
}

// RFC 8446 4.4.4. The length of verify_data depends on the hash; the handshake checks it.
Result<Finished> parse_finished(ByteView body) {
  if (body.empty()) return decode_error("empty Finished");
  Finished m;
  m.verify_data.assign(body.begin(), body.end());
  return m;
}

// RFC 8446 4.6.1
Result<NewSessionTicket> parse_new_session_ticket(ByteView body) {
  wire::Reader r(body);
  NewSessionTicket m;
  ByteView nonce, ticket;
  // ticket_nonce<0..255>, ticket<1..2^16-1>
  if (!r.u32(m.lifetime) || !r.u32(m.age_add) || !r.prefixed_bytes<1>(nonce) ||
      !r.prefixed_bytes<2>(ticket) || ticket.empty())
    return decode_error("NewSessionTicket");
  m.nonce.assign(nonce.begin(), nonce.end());
  m.ticket.assign(ticket.begin(), ticket.end());
  SNR_TRY(detail::read_extensions(r, Where::NewSessionTicket, m.ext));
  if (!r.empty()) return decode_error("data after NewSessionTicket");
  return m;
}

// RFC 8446 4.6.3
Result<KeyUpdate> parse_key_update(ByteView body) {
  wire::Reader r(body);
  KeyUpdate m;
  if (!r.u8(m.request_update) || !r.empty()) return decode_error("KeyUpdate");
  // request_update: "If an implementation receives any other value, it MUST terminate the
  // connection with an illegal_parameter alert."
  if (m.request_update > 1) return make_error(Err::ILLEGAL_PARAMETER, "KeyUpdate request_update");
  return m;
}

Status serialize(const EncryptedExtensions& m, Bytes& out) {
  return write_message(HandshakeType::encrypted_extensions, out, [&](wire::Writer& w) {
    return detail::write_extension_block(m.ext, Where::EncryptedExtensions, w);
  });
}

Status serialize(const Certificate& m, Bytes& out) {
  return write_message(HandshakeType::certificate, out, [&](wire::Writer& w) {
    bool ok = true;
    w.prefixed_bytes<1>(m.request_context);
    w.prefixed<3>([&](wire::Writer& list) {
      for (const CertificateEntry& entry : m.entries) {
        list.prefixed_bytes<3>(entry.cert_data);
        ok = detail::write_extension_block(entry.ext, Where::CertificateEntry, list) && ok;
      }
    });
    return ok;
  });
}

Status serialize(const CertificateRequest& m, Bytes& out) {
  return write_message(HandshakeType::certificate_request, out, [&](wire::Writer& w) {
    w.prefixed_bytes<1>(m.context);
    return detail::write_extension_block(m.ext, Where::CertificateRequest, w);
  });
}

Status serialize(const CertificateVerify& m, Bytes& out) {
  return write_message(HandshakeType::certificate_verify, out, [&](wire::Writer& w) {
    w.u16(m.scheme);
    w.prefixed_bytes<2>(m.signature);
    return true;
  });
}

Status serialize(const Finished& m, Bytes& out) {
  return write_message(HandshakeType::finished, out, [&](wire::Writer& w) {
    w.bytes(m.verify_data);
    return true;
  });
}

Status serialize(const NewSessionTicket& m, Bytes& out) {
  return write_message(HandshakeType::new_session_ticket, out, [&](wire::Writer& w) {
    w.u32(m.lifetime);
    w.u32(m.age_add);
    w.prefixed_bytes<1>(m.nonce);
    w.prefixed_bytes<2>(m.ticket);
    return detail::write_extension_block(m.ext, Where::NewSessionTicket, w);
  });
}

Status serialize(const KeyUpdate& m, Bytes& out) {
  return write_message(HandshakeType::key_update, out, [&](wire::Writer& w) {
    w.u8(m.request_update);
    return true;
  });
}

Bytes message_hash(ByteView client_hello1_hash) {
  Bytes out;
  out.reserve(4 + client_hello1_hash.size());
  wire::Writer w(out);
  w.u8(static_cast<uint8_t>(HandshakeType::message_hash));
  w.prefixed_bytes<3>(client_hello1_hash);
  return out;
}

}  // namespace snr::msg
