// A whole client connection with null crypto (NullFuzzProvider): the fuzzer plays the server
// after the client's ClientHello and writes its protected flights as plaintext
// (record/null_protection.hpp), so certificates, signatures and Finished need no keys and the
// input reaches application data, NewSessionTicket, KeyUpdate and alerts. The client has an
// RSA certificate for CertificateRequest; seeds in corpus/client_null.
#include "connection_driver.hpp"

namespace {
const snr::Config& client_config() {
  static const snr::Config config = snr::fuzz::must(snr::fuzz::fuzz_client_null_config());
  return config;
}
// Certificates are read at static initialization, not during the first input.
[[maybe_unused]] const snr::Config& kLoaded = client_config();
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  snr::Connection conn(snr::Mode::Client);
  snr::fuzz::check(conn.set_server_name(snr::fuzz::kFuzzServerName).ok());
  snr::fuzz::NullFuzzProvider provider;
  snr::fuzz::run_connection(conn, client_config(), snr::ByteView(data, size), provider);
  return 0;
}
