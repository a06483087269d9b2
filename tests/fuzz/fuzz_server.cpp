// A whole server connection (P-256 certificate, policy test_all, FFDHE parameters) whose
// client is the fuzz input: ClientHello, TLS 1.2 key exchange flights, alerts, and whatever
// else the client stream holds. With the deterministic provider, a recorded transcript
// (corpus/server) gets the server as far as the client's Finished.
#include "connection_driver.hpp"

namespace {
const snr::Config& server_config() {
  static const snr::Config config = snr::fuzz::must(snr::fuzz::fuzz_server_config());
  return config;
}
// Certificates are read at static initialization, not during the first input.
[[maybe_unused]] const snr::Config& kLoaded = server_config();
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  snr::Connection conn(snr::Mode::Server);
  snr::fuzz::run_connection(conn, server_config(), snr::ByteView(data, size));
  return 0;
}
