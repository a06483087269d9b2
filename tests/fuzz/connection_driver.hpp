// Drives one Connection whose peer is the fuzz input: the receive callback hands the input out
// as the peer's byte stream, then reports EOF; what the connection sends goes to a sink.
#pragma once

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/connection_state.hpp"
#include "fuzz_common.hpp"

namespace snr::fuzz {

inline Config must(Result<Config> config) {
  // Missing test data is a broken setup, not a finding: say so instead of fuzzing nothing.
  if (!config.ok()) {
    std::fprintf(stderr, "fuzz target setup: %s\n", config.error().message().c_str());
    std::abort();
  }
  return std::move(config).value();
}

// SNR_FUZZ_VERBOSE=1 in the environment: say how far each input got (for corpus work).
inline bool verbose() {
  static const bool on = std::getenv("SNR_FUZZ_VERBOSE") != nullptr;
  return on;
}

// `provider`: FuzzProvider for the real-crypto targets, NullFuzzProvider for the null ones.
inline void run_connection(Connection& conn, const Config& config, ByteView input,
                           crypto::Provider& provider) {
  size_t pos = 0;
  check(conn.set_config(config).ok());
  conn.state().provider = &provider;
  check(conn.set_receive_callback([&](uint8_t* buf, uint32_t len) {
              const size_t n = std::min<size_t>(len, input.size() - pos);
              std::copy_n(input.begin() + static_cast<std::ptrdiff_t>(pos), n, buf);
              pos += n;
              return static_cast<int>(n);
            })
            .ok());
  check(conn.set_send_callback([](const uint8_t*, uint32_t len) { return static_cast<int>(len); })
            .ok());

  bool ready = false;
  for (int i = 0; i < 64 && !ready; ++i) {
    const size_t before = pos;
    auto r = conn.poll_negotiate();
    if (r.is_error()) {
      if (verbose())
        std::fprintf(stderr, "  handshake failed after %zu of %zu bytes: %s (%s)\n", pos,
                     input.size(), std::string(r.error().name()).c_str(),
                     r.error().message().c_str());
      break;
    }
    ready = r.is_ready();
    // Pending with nothing consumed: the connection waits for something the input cannot give.
    if (r.is_pending() && pos == before) break;
  }
  // The getters must cope with whatever state the handshake stopped in.
  (void)conn.actual_protocol_version();
  (void)conn.cipher_suite();
  (void)conn.handshake_type();
  (void)conn.selected_curve();
  (void)conn.alert();
  if (!ready) return;
  check(conn.is_handshake_complete());
  (void)conn.peer_cert_chain();
  (void)conn.master_secret();
  uint8_t buf[4096];
  size_t app_bytes = 0;
  std::string end = "end of input";
  for (int i = 0; i < 256; ++i) {
    const size_t before = pos;
    auto r = conn.poll_recv(buf);
    if (r.is_error() || (r.is_ready() && r.value() == 0)) {
      end = r.is_error() ? std::string(r.error().name()) : "close";
      break;
    }
    if (r.is_ready()) app_bytes += r.value();
    if (r.is_ready()) check(r.value() <= sizeof(buf));
    if (r.is_pending() && pos == before) break;
  }
  if (verbose())
    std::fprintf(stderr, "  handshake complete (%s), %zu bytes of data, then %s\n",
                 std::string(*conn.cipher_suite()).c_str(), app_bytes, end.c_str());
  // TLS 1.3: a KeyUpdate goes out with the data (other versions refuse it).
  (void)conn.request_key_update(PeerKeyUpdate::KeyUpdatedRequested);
  (void)conn.poll_send(std::string_view("fuzz"));
  (void)conn.poll_shutdown();
}

inline void run_connection(Connection& conn, const Config& config, ByteView input) {
  FuzzProvider provider;
  run_connection(conn, config, input, provider);
}

}  // namespace snr::fuzz
