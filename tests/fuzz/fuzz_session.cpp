// Session blobs and tickets: resume::decode_client_session on the input, and
// resume::TicketKeyStore::open with a fixed key on the input and, when the input is a
// ticket-kind blob, on its ticket; what a ticket opens to goes through decode_state as a
// server would read it. A blob or state that decodes must re-encode to exactly the input and
// decode again to the same values; failures carry only the documented error codes.
#include <algorithm>
#include <cstdlib>
#include <memory>

#include "fuzz_common.hpp"
#include "resume/session_state.hpp"
#include "resume/ticket_keys.hpp"

namespace snr::fuzz::session {

// The seeds in corpus/session/ hold tickets sealed under this key at kNow.
inline constexpr const char* kKeyName = "fuzz-ticket-key";
inline constexpr uint8_t kKeyMaterial[32] = {
    0x73, 0x6e, 0x72, 0x2d, 0x66, 0x75, 0x7a, 0x7a, 0x2d, 0x74, 0x69, 0x63, 0x6b, 0x65, 0x74, 0x2d,
    0x6b, 0x65, 0x79, 0x2d, 0x6d, 0x61, 0x74, 0x65, 0x72, 0x69, 0x61, 0x6c, 0x2d, 0x30, 0x30, 0x31};
inline constexpr uint64_t kNow = kFuzzClockNs + 3600 * resume::kNsPerSecond;

inline const resume::TicketKeyStore& key_store() {
  static const std::unique_ptr<resume::TicketKeyStore> store = [] {
    auto s = std::make_unique<resume::TicketKeyStore>();
    if (!s->add_key(as_bytes(kKeyName), ByteView(kKeyMaterial), kFuzzClockNs, kFuzzClockNs).ok())
      std::abort();
    return s;
  }();
  return *store;
}

inline bool same_state(const resume::SessionState& a, const resume::SessionState& b) {
  return a.version == b.version && a.cipher_suite == b.cipher_suite &&
         a.issue_time == b.issue_time && a.lifetime == b.lifetime &&
         a.ticket_age_add == b.ticket_age_add &&
         a.keying_material_expiry == b.keying_material_expiry &&
         a.max_early_data == b.max_early_data &&
         a.extended_master_secret == b.extended_master_secret &&
         a.secret.size() == b.secret.size() && ct_equal(a.secret, b.secret) && a.alpn == b.alpn &&
         a.server_name == b.server_name;
}

inline void state_round_trip(ByteView in) {
  auto s = resume::decode_state(in);
  if (!s.ok()) {
    check(err_of(s.error()) == Err::INVALID_SERIALIZED_SESSION_STATE);
    return;
  }
  Bytes again;
  check(resume::encode_state(*s, again).ok());
  check(ByteView(again).size() == in.size() && std::equal(in.begin(), in.end(), again.begin()));
  auto s2 = resume::decode_state(again);
  check(s2.ok() && same_state(*s, *s2));
}

inline void open_ticket(ByteView ticket) {
  auto opened = key_store().open(ticket, kNow);
  if (!opened.ok()) {
    const Err e = err_of(opened.error());
    check(e == Err::INVALID_SESSION_TICKET || e == Err::TICKET_KEY_NOT_FOUND);
    return;
  }
  check(opened->size() + resume::kTicketOverhead == ticket.size());
  state_round_trip(*opened);
}

}  // namespace snr::fuzz::session

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace snr;
  using namespace snr::fuzz::session;
  const ByteView input(data, size);
  open_ticket(input);

  auto cs = resume::decode_client_session(input);
  if (!cs.ok()) {
    fuzz::check(err_of(cs.error()) == Err::INVALID_SERIALIZED_SESSION_STATE);
    return 0;
  }
  Bytes again;
  fuzz::check(resume::encode_client_session(*cs, again).ok());
  fuzz::check(again.size() == size && std::equal(input.begin(), input.end(), again.begin()));
  auto cs2 = resume::decode_client_session(again);
  fuzz::check(cs2.ok() && cs2->kind == cs->kind && cs2->id == cs->id &&
              same_state(cs2->state, cs->state));
  if (cs->kind == resume::ClientSession::Kind::Ticket) open_ticket(cs->id);
  return 0;
}
