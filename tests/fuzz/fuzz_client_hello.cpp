// ClientHello body (msg::parse_client_hello, also what a server reads first): parse ->
// serialize -> parse must agree.
#include "msg_round_trip.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace snr;
  fuzz::round_trip(msg::HandshakeType::client_hello, ByteView(data, size),
                   [](ByteView b) { return msg::parse_client_hello(b); });
  return 0;
}
