// A whole server connection with null crypto (NullFuzzProvider): the fuzzer plays the client
// and writes its protected flights as plaintext (record/null_protection.hpp), so it reaches
// the client's Certificate / CertificateVerify / Finished, application data and
// post-handshake messages. Input byte 0 picks the config (client certificate requested, RSA
// or P-256 leaf: fuzz_server_null_config); the rest is the client's byte stream, seeds in
// corpus/server_null.
#include "connection_driver.hpp"

namespace {
// Input byte 0, bit 0: ClientAuthType::Optional; bit 1: the RSA leaf instead of P-256.
const snr::Config& server_config(uint8_t variant) {
  static const snr::Config configs[4] = {
      snr::fuzz::must(snr::fuzz::fuzz_server_null_config(false, false)),
      snr::fuzz::must(snr::fuzz::fuzz_server_null_config(true, false)),
      snr::fuzz::must(snr::fuzz::fuzz_server_null_config(false, true)),
      snr::fuzz::must(snr::fuzz::fuzz_server_null_config(true, true)),
  };
  return configs[variant & 3];
}
// Certificates are read at static initialization, not during the first input.
[[maybe_unused]] const snr::Config& kLoaded = server_config(0);
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  snr::Connection conn(snr::Mode::Server);
  snr::fuzz::NullFuzzProvider provider;
  snr::fuzz::run_connection(conn, server_config(data[0]), snr::ByteView(data + 1, size - 1),
                            provider);
  return 0;
}
