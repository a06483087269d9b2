// A whole client connection (policy test_all, trusting the test CA, server name localhost)
// whose server is the fuzz input: the client sends its ClientHello, then reads the input as the
// server's flights. The client does not sign, so with the deterministic provider a recorded
// server stream (corpus/client) replays through Finished into application data.
#include "connection_driver.hpp"

namespace {
const snr::Config& client_config() {
  static const snr::Config config = snr::fuzz::must(snr::fuzz::fuzz_client_config());
  return config;
}
// Certificates are read at static initialization, not during the first input.
[[maybe_unused]] const snr::Config& kLoaded = client_config();
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  snr::Connection conn(snr::Mode::Client);
  snr::fuzz::check(conn.set_server_name(snr::fuzz::kFuzzServerName).ok());
  snr::fuzz::run_connection(conn, client_config(), snr::ByteView(data, size));
  return 0;
}
