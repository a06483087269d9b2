#include "hs/ocsp.hpp"

#include <algorithm>

#include "crypto/ocsp.hpp"
#include "hs/common13.hpp"
#include "util/error_code.hpp"
#include "wire/reader.hpp"
#include "wire/writer.hpp"

namespace snr::hs {
namespace {

namespace ext = msg::ext;

const Bytes* raw_status_request(const msg::Extensions& e) {
  for (const msg::RawExtension& raw : e.unknown)
    if (raw.type == ext::status_request) return &raw.data;
  return nullptr;
}

// CertificateStatusRequest (RFC 6066 8). Returns whether it asks for OCSP; other status types
// are not understood and so ignored.
Result<bool> parse_status_request(ByteView data) {
  wire::Reader r(data);
  uint8_t type = 0;
  if (!r.u8(type)) return make_error(Err::DECODE, "status_request type");
  if (type != kStatusTypeOcsp) return false;
  wire::Reader responders, extensions;
  if (!r.prefixed<2>(responders) || !r.prefixed<2>(extensions) || !r.empty())
    return make_error(Err::DECODE, "status_request OCSPStatusRequest");
  // ResponderID responder_id_list<0..2^16-1>, each opaque ResponderID<1..2^16-1>.
  while (!responders.empty()) {
    ByteView id;
    if (!responders.prefixed_bytes<2>(id) || id.empty())
      return make_error(Err::DECODE, "status_request ResponderID");
  }
  return true;
}

// CertificateStatus (RFC 6066 8): status_type ocsp, then OCSPResponse<1..2^24-1>. A status type
// other than the one asked for cannot be read.
Result<Bytes> parse_certificate_status(ByteView body) {
  wire::Reader r(body);
  uint8_t type = 0;
  ByteView response;
  if (!r.u8(type) || type != kStatusTypeOcsp)
    return make_error(Err::DECODE, "CertificateStatus status_type");
  if (!r.prefixed_bytes<3>(response) || response.empty() || !r.empty())
    return make_error(Err::DECODE, "CertificateStatus OCSPResponse");
  return Bytes(response.begin(), response.end());
}

void write_certificate_status(ByteView response, wire::Writer& w) {
  w.u8(kStatusTypeOcsp);
  w.prefixed_bytes<3>(response);
}

// The stapled response vouches for the validated leaf: checked when the client verifies
// certificates and has not turned the check off.
Status check_staple(Handshake& hs) {
  const detail::ConfigData& cfg = *hs.settings.config;
  if (!cfg.verify_x509 || !cfg.check_ocsp) return {};
  crypto::OcspCheck check;
  for (const Certificate& c : hs.out->peer_chain) check.path.push_back(c.der());
  check.time_seconds = cfg.now() / 1'000'000'000ull;
  return crypto::check_ocsp_response(hs.out->ocsp_response, check);
}

// A CertificateEntry's status_request: the CertificateStatus structure (RFC 8446 4.4.2.1).
void add_status(ByteView response, msg::Extensions& entry) {
  Bytes data;
  wire::Writer w(data);
  write_certificate_status(response, w);
  entry.add(ext::status_request);
  entry.unknown.push_back(msg::RawExtension{ext::status_request, std::move(data)});
}

// Only the leaf's status is used; one on an intermediate is allowed and ignored.
Status read_leaf_status(Handshake& hs, const msg::Certificate& cert) {
  if (cert.entries.empty()) return {};
  const Bytes* data = raw_status_request(cert.entries.front().ext);
  if (data == nullptr) return {};
  SNR_TRY_ASSIGN(hs.out->ocsp_response, parse_certificate_status(*data));
  return check_staple(hs);
}

}  // namespace

void offer_status_request(const Handshake& hs, msg::Extensions& e) {
  if (!hs.settings.config->ocsp_request) return;
  e.add(ext::status_request);
  e.unknown.push_back(msg::RawExtension{ext::status_request, Bytes{kStatusTypeOcsp, 0, 0, 0, 0}});
}

Status decide_stapling(Handshake& hs, const msg::Extensions& client_hello) {
  hs.ocsp_stapling = false;
  const Bytes* data = raw_status_request(client_hello);
  if (data == nullptr) return {};
  SNR_TRY_ASSIGN(bool wants_ocsp, parse_status_request(*data));
  hs.ocsp_stapling = wants_ocsp && hs.cert != nullptr && !hs.cert->ocsp_response.empty();
  return {};
}

Status answer_status_request12(Handshake& hs, const msg::Extensions& client_hello,
                               msg::Extensions& server_hello) {
  SNR_TRY(decide_stapling(hs, client_hello));
  // An abbreviated handshake sends no Certificate, so nothing to staple.
  if (hs.resumed12) hs.ocsp_stapling = false;
  if (!hs.ocsp_stapling) return {};
  server_hello.add(ext::status_request);
  hs.out->flags |= flag::OCSP_STATUS;
  return {};
}

Status send_certificate_status12(Handshake& hs) {
  Bytes& out = out_buffer(hs);
  wire::Writer w(out);
  w.u8(static_cast<uint8_t>(msg::HandshakeType::certificate_status));
  w.prefixed<3>(
      [&](wire::Writer& body) { write_certificate_status(hs.cert->ocsp_response, body); });
  SNR_ENSURE(w.ok(), Err::INTERNAL);
  return emit(hs, out);
}

void staple_certificate13(const Handshake& hs, msg::Certificate& cert) {
  if (!hs.ocsp_stapling || cert.entries.empty()) return;
  add_status(hs.cert->ocsp_response, cert.entries.front().ext);
}

Status accept_status_request12(Handshake& hs, const msg::Extensions& server_hello, bool resumed) {
  const Bytes* data = raw_status_request(server_hello);
  if (data == nullptr) return {};
  // RFC 6066 8: "the "extension_data" field of this extension SHALL be empty".
  SNR_ENSURE(data->empty(), Err::DECODE);
  if (resumed) return {};
  hs.ocsp_stapling = true;
  hs.out->flags |= flag::OCSP_STATUS;
  return {};
}

Status recv_certificate_status12(Handshake& hs, const InMessage& in) {
  SNR_TRY_ASSIGN(hs.out->ocsp_response, parse_certificate_status(in.body));
  return check_staple(hs);
}

Status accept_certificate_status13(Handshake& hs, const msg::Certificate& cert) {
  // RFC 8446 4.4.2: "The extensions in the Certificate message from the server MUST
  // correspond to ones from the ClientHello message" (4.2: else unsupported_extension).
  for (const msg::CertificateEntry& entry : cert.entries)
    for (uint16_t t : entry.ext.order)
      SNR_ENSURE(std::find(hs.offered_ext.begin(), hs.offered_ext.end(), t) != hs.offered_ext.end(),
                 Err::UNSUPPORTED_EXTENSION);
  return read_leaf_status(hs, cert);
}

void request_client_status13(Handshake& hs, msg::Extensions& cr) {
  if (!hs.settings.config->ocsp_request) return;
  cr.add(ext::status_request);
  cr.unknown.push_back(msg::RawExtension{ext::status_request, {}});
  hs.ocsp_client_status = true;
}

Status note_status_request13(Handshake& hs, const msg::Extensions& cr) {
  const Bytes* data = raw_status_request(cr);
  if (data == nullptr) return {};
  // RFC 8446 4.4.2.1: "sending an empty "status_request" extension".
  SNR_ENSURE(data->empty(), Err::DECODE);
  hs.ocsp_client_status = true;
  return {};
}

void staple_client_certificate13(const Handshake& hs, msg::Certificate& cert) {
  if (!hs.ocsp_client_status || hs.client_cert == nullptr || cert.entries.empty() ||
      hs.client_cert->ocsp_response.empty())
    return;
  add_status(hs.client_cert->ocsp_response, cert.entries.front().ext);
}

Status accept_client_status13(Handshake& hs, const msg::Certificate& cert) {
  // The entries may answer only what the CertificateRequest asked (RFC 8446 4.4.2, 4.2).
  for (const msg::CertificateEntry& entry : cert.entries)
    for (uint16_t t : entry.ext.order)
      SNR_ENSURE(t == ext::status_request && hs.ocsp_client_status, Err::UNSUPPORTED_EXTENSION);
  return read_leaf_status(hs, cert);
}

}  // namespace snr::hs
