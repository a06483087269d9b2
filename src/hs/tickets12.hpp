// TLS 1.2 session resumption (RFC 5077 tickets; RFC 5246 7.3 abbreviated handshakes): what
// the client offers, how each side recognises a resumed session, and the NewSessionTicket.
#pragma once

#include "hs/handshake.hpp"
#include "msg/messages12.hpp"

namespace snr::hs {

// Client: whether it asks for TLS 1.2 tickets (tickets on, forward secrecy not required).
bool wants_tickets12(const Handshake& hs);
// Client: adds session_ticket (with the saved ticket, if any) to the ClientHello.
void offer_session12(Handshake& hs, msg::ClientHello& ch);
// Client: whether the ServerHello resumes the offered session; if so, checks it (same
// version, suite and extended_master_secret use) and derives the keys from the saved master
// secret.
Result<bool> client_resume12(Handshake& hs, const msg::ServerHello& sh, Version version);
// Client, at the end of a full handshake: the session the server issued (its ticket, else
// the session id of its ServerHello, kept in hs.session_id), if any, into hs.out.
void keep_issued_session12(Handshake& hs);

// Both, once both randoms are known: the key block from the resumed master secret.
Status derive_resumed_keys12(Handshake& hs);

// Server: whether the ClientHello's ticket resumes a session at `version`; if so the suite,
// master secret and keys are set.
Result<bool> server_resume12(Handshake& hs, const msg::ClientHello& ch, Version version);
// Server: whether to promise a ticket in the ServerHello of a full handshake.
bool will_issue_ticket12(const Handshake& hs, const msg::ClientHello& ch);
// Server: whether a full handshake's session goes into the session-ID cache.
bool will_cache12(const Handshake& hs);
// Server, after its Finished in a full handshake: stores the session under hs.session_id.
Status store_session12(Handshake& hs);

// Server: the NewSessionTicket (an empty ticket when no key can seal one, RFC 5077 3.3).
Status send_ticket12(Handshake& hs);

}  // namespace snr::hs
