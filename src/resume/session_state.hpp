// What a resumable session remembers, and its one encoding. The server seals a SessionState
// into each ticket; the client keeps the same state (plus the ticket or session id it got) in
// the session blob the application saves (Connection::session_ticket / set_session_ticket).
//
// Encoding (all integers big-endian), version 1:
//   u8  format = 1
//   u8  protocol version (snr::Version value: 33 TLS 1.2, 34 TLS 1.3, ...)
//   u16 cipher suite (IANA)
//   u64 issue_time (ns since the Unix epoch, wall clock)
//   u32 lifetime (seconds)
//   u32 ticket_age_add            (TLS 1.3; 0 otherwise)
//   u64 keying_material_expiry    (ns since the epoch; 0 = none)
//   u32 max_early_data            (TLS 1.3; 0 = no 0-RTT)
//   u8  flags (bit 0: extended_master_secret; bit 1: the client authenticated with a
//             certificate in the full handshake)
//   u8  secret<1..255>            (TLS 1.3: the PSK; TLS 1.2: the 48-byte master secret)
//   u8  alpn<0..255>
//   u8  server_name<0..255>
// Decoding is strict: unknown format, an unknown version or suite, a secret of the wrong
// size for the suite's hash (TLS 1.3) or not 48 bytes (TLS 1.2), or trailing bytes is
// Err::INVALID_SERIALIZED_SESSION_STATE.
#pragma once

#include <cstdint>
#include <string>

#include "snr/enums.hpp"
#include "snr/error.hpp"
#include "util/bytes.hpp"

namespace snr::resume {

struct SessionState {
  Version version = Version::Unknown;
  uint16_t cipher_suite = 0;
  uint64_t issue_time = 0;
  uint32_t lifetime = 0;
  uint32_t ticket_age_add = 0;
  uint64_t keying_material_expiry = 0;
  uint32_t max_early_data = 0;
  bool extended_master_secret = false;
  // A server whose client auth is Required resumes only sessions with this set (SPEC 6.13).
  bool client_authenticated = false;
  SecureBytes secret;
  Bytes alpn;
  std::string server_name;
};

// SPEC 6.10: a state's issue time may be up to an hour ahead of this clock (another server of
// the fleet issued it).
inline constexpr uint64_t kMaxIssueClockSkew = 3600ull * 1'000'000'000;

// Whether `s` is within its lifetime (and its keying material's) at `now` (ns).
inline bool alive(const SessionState& s, uint64_t now) {
  if (now + kMaxIssueClockSkew < s.issue_time) return false;
  if (now > s.issue_time && now - s.issue_time >= uint64_t{s.lifetime} * 1'000'000'000)
    return false;
  return s.keying_material_expiry == 0 || now < s.keying_material_expiry;
}

Status encode_state(const SessionState& s, Bytes& out);
Result<SessionState> decode_state(ByteView in);

// The client's session blob (SPEC 6.10): how the server will recognise the session, then the
// state.
//   u8  kind (1 = ticket, 0 = TLS 1.2 session id)
//   u16 id<1..65535>  (the ticket, or the session id of 1..32 bytes)
//   ... the SessionState encoding above, to the end
struct ClientSession {
  enum class Kind : uint8_t { SessionId = 0, Ticket = 1 };
  Kind kind = Kind::Ticket;
  Bytes id;
  SessionState state;
};

Status encode_client_session(const ClientSession& s, Bytes& out);
Result<ClientSession> decode_client_session(ByteView in);

}  // namespace snr::resume
