// max_fragment_length (RFC 6066 4), as s2n negotiates it: a client asks for one of four
// limits; a server configured to accept echoes the code (TLS 1.2 ServerHello, TLS 1.3
// EncryptedExtensions) and ignores it otherwise. Once agreed, Negotiated::max_fragment_length
// holds the limit and the driver applies it to the records of both directions.
#pragma once

#include <cstdint>

#include "hs/handshake.hpp"

namespace snr::hs {

// 2^(8 + code) bytes for the codes 1-4; 0 for anything else.
uint16_t mfl_bytes(uint8_t code);

// Client: adds the extension to a ClientHello being built, if the config asks for a limit.
void offer_mfl(const Handshake& hs, msg::Extensions& ch);

// Server: echoes the client's request into `reply` and records the limit, if the config
// accepts requests.
void answer_mfl(Handshake& hs, const msg::Extensions& offered, msg::Extensions& reply);

// Client: the server's answer must repeat the code asked for (RFC 6066: otherwise
// illegal_parameter); an answer nobody asked for is refused by the callers' unsolicited-
// extension check (unsupported_extension).
Status accept_mfl_answer(Handshake& hs, const msg::Extensions& reply);

}  // namespace snr::hs
