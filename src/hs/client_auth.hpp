// Client authentication (SPEC 6.13; RFC 8446 4.3.2, 4.4.2, 4.4.3; RFC 5246 7.4.4, 7.4.6,
// 7.4.8): the pieces the four step tables share.
#pragma once

#include "hs/handshake.hpp"
#include "msg/messages.hpp"

namespace snr::hs {

// --- server ---

// Whether this handshake asks for a client certificate: a server with client auth Optional
// or Required, in a handshake authenticated by certificates (not a PSK, not a resumption).
bool requests_client_cert(const Handshake& hs);

// Sends the CertificateRequest (TLS 1.3 with an empty context; TLS 1.2/1.1/1.0 with
// certificate types) and remembers the signature schemes it offered.
Status send_certificate_request13(Handshake& hs);
Status send_certificate_request12(Handshake& hs);

// The client's Certificate (TLS 1.2 ones converted to the TLS 1.3 structure). Returns true
// when a chain was sent and validated (a CertificateVerify must follow); false for an
// empty one, which client auth Required refuses (TLS 1.3: CLIENT_CERT_REQUIRED,
// certificate_required; older: MISSING_CLIENT_CERT, handshake_failure).
Result<bool> accept_client_certificate(Handshake& hs, const msg::Certificate& cert);

// TLS 1.2 and older: checks the client's CertificateVerify over the kept handshake messages.
Status verify_client_certificate_verify12(Handshake& hs, const InMessage& in);

// --- client ---

// A CertificateRequest arrived (TLS 1.3 `cr13`, or TLS 1.2 `cr12`): refused with client auth
// None (UNEXPECTED_CERT_REQUEST); otherwise the request is remembered and the certificate to
// answer with is chosen (NO_CLIENT_CERTIFICATE when Required and none fits).
Status on_certificate_request13(Handshake& hs, const msg::CertificateRequest& cr);
Status on_certificate_request12(Handshake& hs, ByteView body);

// The server's flight ended without a CertificateRequest: client auth Required fails
// (MISSING_CERT_REQUEST).
Status check_cert_request_seen(const Handshake& hs);

// TLS 1.2 and older: whether the client keeps the handshake messages for a CertificateVerify
// it may have to sign (it has a certificate and may be asked).
bool may_send_client_cert(const Handshake& hs);

// The client's Certificate: its chain, or empty (then NO_CLIENT_CERT is flagged).
Status send_client_certificate13(Handshake& hs);
Status send_client_certificate12(Handshake& hs);
// The client's CertificateVerify (only after a non-empty Certificate): true once sent, false
// while the private key callback works on the signature (the step pauses).
Result<bool> send_client_certificate_verify12(Handshake& hs);

// Session state (resume/session_state.hpp): whether this handshake authenticated the client
// with a certificate, and whether a session may be resumed under the server's client auth
// mode (Required needs a session that was client-authenticated).
bool client_authenticated(const Handshake& hs);
bool resumable_for_client_auth(const Handshake& hs, const resume::SessionState& st);

// Concatenated u24-length-prefixed DER certificates (what client_cert_chain_bytes returns).
Bytes certificate_list_bytes(const msg::Certificate& cert);

}  // namespace snr::hs
