// OCSP stapling (RFC 6066 8; RFC 8446 4.4.2.1): the client's status_request, the server's
// staple (TLS 1.2 CertificateStatus message, TLS 1.3 status_request in the leaf's
// CertificateEntry), and the client's check of what it received.
#pragma once

#include "hs/handshake.hpp"

namespace snr::hs {

// status_type ocsp (RFC 6066 8).
inline constexpr uint8_t kStatusTypeOcsp = 1;

// ClientHello: status_request for OCSP, no responder ids or request extensions, when the
// config asks for stapling.
void offer_status_request(const Handshake& hs, msg::Extensions& e);

// Server, with hs.cert chosen: sets hs.ocsp_stapling when the ClientHello asked for OCSP and
// the chain has a response. A malformed status_request is a decode_error.
Status decide_stapling(Handshake& hs, const msg::Extensions& client_hello);

// TLS 1.2 server, full handshake: decides, and acknowledges with an empty status_request.
Status answer_status_request12(Handshake& hs, const msg::Extensions& client_hello,
                               msg::Extensions& server_hello);
// TLS 1.2 server: the CertificateStatus message, right after Certificate.
Status send_certificate_status12(Handshake& hs);
// TLS 1.3 server: the staple in the leaf's CertificateEntry.
void staple_certificate13(const Handshake& hs, msg::Certificate& cert);

// TLS 1.2 client: the ServerHello's status_request (the caller checked it was offered). It
// must be empty; on a full handshake it announces a CertificateStatus.
Status accept_status_request12(Handshake& hs, const msg::Extensions& server_hello, bool resumed);
// TLS 1.2 client: CertificateStatus (after the server's chain was accepted).
Status recv_certificate_status12(Handshake& hs, const InMessage& in);
// TLS 1.3 client: the server Certificate's entry extensions (after the chain was accepted).
Status accept_certificate_status13(Handshake& hs, const msg::Certificate& cert);

// TLS 1.3 client certificates (RFC 8446 4.4.2.1). Server: an empty status_request in its
// CertificateRequest when the config asks for OCSP; then reads (and checks) the client's
// staple. Client: notes the request; staples its chain's response, if it has one.
void request_client_status13(Handshake& hs, msg::Extensions& cr);
Status accept_client_status13(Handshake& hs, const msg::Certificate& cert);
Status note_status_request13(Handshake& hs, const msg::Extensions& cr);
void staple_client_certificate13(const Handshake& hs, msg::Certificate& cert);

}  // namespace snr::hs
