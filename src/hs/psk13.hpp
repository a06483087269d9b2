// TLS 1.3 pre-shared keys (RFC 8446 4.2.9, 4.2.11, 4.6.1): offering resumption tickets with
// their binders, choosing and verifying one on the server, and issuing and receiving
// NewSessionTickets. Both step tables call into here; nothing here sends records.
#pragma once

#include "hs/handshake.hpp"

namespace snr::hs {

inline constexpr uint8_t kPskKe = 0;     // psk_ke
inline constexpr uint8_t kPskDheKe = 1;  // psk_dhe_ke
// RFC 8446 4.6.1: "Servers MUST NOT use any value greater than 604800 seconds".
inline constexpr uint32_t kMaxTicketLifetime = 604800;
// RFC 8446 4.6.1 and SPEC 6.10: a resumption chain's keying material lives at most a week
// from its full handshake (ns).
inline constexpr uint64_t kKeyingMaterialLifetime = 7ull * 24 * 3600 * 1'000'000'000;

// Both roles, once the ServerHello settled the handshake: version, shape flags, and what the
// PSK (if any) says about resumption and the keying material's end.
void settle_tls13(Handshake& hs);

// --- client ---
// Adds psk_key_exchange_modes and pre_shared_key (last, binders zeroed) to the first
// ClientHello when there is a usable session to resume.
Status offer_psks(Handshake& hs, msg::ClientHello& ch);
// After a HelloRetryRequest chose a suite: keeps only PSKs of its hash (RFC 8446 4.1.4).
void retain_psks_for_suite(Handshake& hs, msg::ClientHello& ch);
// Serializes the ClientHello, fills in the binders over its truncated form, adds it to the
// transcript and sends it.
Status send_client_hello(Handshake& hs, msg::ClientHello& ch);
// The ServerHello's pre_shared_key: checks it against the offer and takes the chosen PSK.
Status accept_server_psk(Handshake& hs, const msg::ServerHello& sh);
// A NewSessionTicket received after the handshake, as the session blob a client saves.
// Nullopt when the ticket cannot be used (lifetime 0).
Result<std::optional<resume::ClientSession>> session_from_ticket(
    const Negotiated& neg, const detail::ConfigData& config, const std::string& server_name,
    const msg::NewSessionTicket& ticket);

// --- server ---
// Picks the first offered PSK the server can use (a ticket it can open, unexpired, whose hash
// a mutual suite shares) and the key exchange mode; leaves hs.psk empty for a full handshake.
Status select_psk(Handshake& hs, const msg::ClientHello& ch);
// Verifies the chosen PSK's binder over the ClientHello `in` (call with the transcript hash
// set and before `in` is added to it).
Status verify_binder(Handshake& hs, const InMessage& in, const msg::ClientHello& ch);
// Sends the configured number of NewSessionTickets (none without a usable ticket key).
Status send_tickets(Handshake& hs);

}  // namespace snr::hs
