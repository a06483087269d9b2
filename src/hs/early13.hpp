// TLS 1.3 early data (0-RTT, RFC 8446 2.3, 4.2.10): the client's offer and its early traffic
// key, the server's eligibility checks and decision, and EndOfEarlyData. The bytes themselves
// move in the driver (Connection::poll_send_early_data / poll_recv_early_data).
#pragma once

#include "hs/handshake.hpp"

namespace snr::hs {

// RFC 8446 8.3: how far the client's view of a ticket's age may be from the server's.
inline constexpr uint64_t kTicketAgeTolerance = 10ull * 1'000'000'000;

// --- client ---
// Adds early_data to the first ClientHello when the application wants to send early data and
// the first offered PSK allows it.
void offer_early_data(Handshake& hs, msg::ClientHello& ch);
// After the ClientHello went out: the early traffic key becomes the write key.
Status start_early_data(Handshake& hs);
// A HelloRetryRequest rejects early data: the second ClientHello is plaintext, without it.
Status cancel_early_data(Handshake& hs, msg::ClientHello& ch);
// EncryptedExtensions says whether the server took the early data.
Status accept_early_data_answer(Handshake& hs, const msg::Extensions& ee);
// After the server Finished: EndOfEarlyData (when accepted), then the handshake write key.
Status finish_early_data(Handshake& hs);

// --- server ---
// With the PSK chosen and the ClientHello in the transcript: whether the offered early data
// may be accepted (the decision comes later); rejected offers are skipped on reading.
Status consider_early_data(Handshake& hs, const msg::ClientHello& ch);
// The application's decision (nullopt: not yet, the handshake waits).
std::optional<bool> decide_early_data(Handshake& hs);
// EndOfEarlyData (RFC 8446 4.5).
Status check_end_of_early_data(const InMessage& in);

}  // namespace snr::hs
