// ServerHello / HelloRetryRequest body (msg::parse_server_hello): parse -> serialize -> parse
// must agree.
#include "msg_round_trip.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace snr;
  fuzz::round_trip(msg::HandshakeType::server_hello, ByteView(data, size),
                   [](ByteView b) { return msg::parse_server_hello(b); });
  return 0;
}
