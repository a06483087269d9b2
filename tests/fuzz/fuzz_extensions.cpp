// Extension blocks (msg::parse_extensions) for every message kind: the first input byte picks
// the msg::Where, the rest is the u16-prefixed block. parse -> write -> parse must agree.
#include "msg/codec.hpp"
#include "msg_round_trip.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace snr;
  using fuzz::check;
  constexpr uint8_t kWhereCount = static_cast<uint8_t>(msg::Where::NewSessionTicket) + 1;
  if (size == 0 || data[0] >= kWhereCount) return 0;
  const auto where = static_cast<msg::Where>(data[0]);
  const ByteView block(data + 1, size - 1);

  msg::Extensions e1;
  if (!msg::parse_extensions(block, where, e1).ok()) return 0;
  for (uint16_t type : e1.order) check(e1.has(type));
  Bytes b1;
  wire::Writer w1(b1);
  // The writer refuses what the peer would reject (e.g. several ALPN names from a server).
  if (!msg::detail::write_extension_block(e1, where, w1) || !w1.ok()) return 0;
  msg::Extensions e2;
  check(msg::parse_extensions(b1, where, e2).ok());
  check(fuzz::same(e1, e2));
  Bytes b2;
  msg::write_extensions(e2, where, b2);
  check(b1 == b2);
  return 0;
}
