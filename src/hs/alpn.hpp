// ALPN (RFC 7301) for both versions and roles.
#pragma once

#include "hs/handshake.hpp"

namespace snr::hs {

// Client: offers the configured protocols, if any.
void offer_alpn(const Handshake& hs, msg::Extensions& ext);
// Client: takes the server's choice, which must be one that was offered.
Status accept_alpn(Handshake& hs, const msg::Extensions& server_ext);
// Server: the first of its own protocols the client offered, written into `reply`. With no
// overlap the handshake goes on without ALPN, as s2n-tls does (RFC 7301 would send
// no_application_protocol; s2n leaves that decision to the application).
void select_alpn(Handshake& hs, const msg::ClientHello& ch, msg::Extensions& reply);

// Checks one protocol name for the setters: 1-255 bytes.
Status check_protocol_name(std::string_view name);

}  // namespace snr::hs
