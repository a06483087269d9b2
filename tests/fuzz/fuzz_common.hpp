// Shared by the fuzz targets, their replay driver and the corpus capture program: test data,
// the deterministic crypto provider, the configurations of the whole-connection targets, and
// the input cursor.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

#include "crypto/key_share.hpp"
#include "crypto/provider.hpp"
#include "snr/snr.hpp"
#include "util/bytes.hpp"
#include "util/error_code.hpp"

#ifndef SNR_FUZZ_DATA_DIR
#error "SNR_FUZZ_DATA_DIR must name tests/data"
#endif

// Every fuzz target's entry point (libFuzzer's contract: return 0, crash on a bug).
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace snr::fuzz {

// A broken invariant: crash so that libFuzzer (or the replay test) reports the input.
[[noreturn]] inline void fail_invariant() { __builtin_trap(); }
inline void check(bool ok) {
  if (!ok) fail_invariant();
}

inline std::string read_data_file(const std::string& name) {
  std::ifstream in(std::string(SNR_FUZZ_DATA_DIR) + "/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Randoms from a fixed-seed generator and ephemeral keys from one fixed scalar: a
// whole-connection target then behaves the same for the same input, and a transcript recorded
// against this provider (make-corpus.sh) replays past the key exchange, because the target
// derives the same keys as it did during the capture. Signatures stay real (and randomized
// for ECDSA and RSA-PSS), so a server's Finished only matches when it did not sign.
class FuzzProvider final : public crypto::Provider {
 public:
  Status random(MutByteView out) override {
    for (uint8_t& b : out) {
      state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
      b = static_cast<uint8_t>(state_ >> 56);
    }
    return {};
  }
  Result<crypto::KeyShare> generate_key_share(uint16_t group) override {
    // Below the order of every supported curve; a valid X25519 scalar as well.
    static const uint8_t kScalar[32] = {0x42, 0x13, 0x37, 0x42, 0x13, 0x37, 0x42, 0x13,
                                        0x37, 0x42, 0x13, 0x37, 0x42, 0x13, 0x37, 0x42,
                                        0x13, 0x37, 0x42, 0x13, 0x37, 0x42, 0x13, 0x37,
                                        0x42, 0x13, 0x37, 0x42, 0x13, 0x37, 0x42, 0x13};
    return crypto::KeyShare::from_private(group, kScalar);
  }

 private:
  uint64_t state_ = 0x736e722d66757a7aULL;
};

// Certificate validity is checked against this instant (2025-01-01), not the machine's clock,
// so that recorded transcripts keep replaying the same way.
inline constexpr uint64_t kFuzzClockNs = 1735689600ULL * 1000000000ULL;

// The server of the `server` target: the P-256 leaf (leaf + CA chain not needed: the client
// side of captures trusts the CA), policy test_all, FFDHE2048 parameters.
inline Result<Config> fuzz_server_config() {
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
  SNR_TRY(b.with_system_certs(false));
  SNR_TRY_ASSIGN(Policy policy, Policy::from_version("test_all"));
  SNR_TRY(b.set_security_policy(policy));
  SNR_TRY(b.load_pem(read_data_file("ecdsa-p256-cert.pem"), read_data_file("ecdsa-p256-key.pem")));
  SNR_TRY(b.add_dhparams(read_data_file("dhparams-ffdhe2048.pem")));
  SNR_TRY(b.set_wall_clock([] { return kFuzzClockNs; }));
  return b.build();
}

// The client of the `client` target: policy test_all, trusting the test CA; its server name
// is kFuzzServerName.
inline constexpr const char* kFuzzServerName = "localhost";
inline Result<Config> fuzz_client_config() {
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
  SNR_TRY(b.with_system_certs(false));
  SNR_TRY_ASSIGN(Policy policy, Policy::from_version("test_all"));
  SNR_TRY(b.set_security_policy(policy));
  SNR_TRY(b.trust_pem(read_data_file("ca-cert.pem")));
  SNR_TRY(b.set_wall_clock([] { return kFuzzClockNs; }));
  return b.build();
}

// Reads the fuzz input front to back; exhausted reads yield zeros / empty views.
class Input {
 public:
  Input(const uint8_t* data, size_t size) : data_(data, size) {}
  bool empty() const { return pos_ == data_.size(); }
  size_t remaining() const { return data_.size() - pos_; }
  uint8_t u8() { return empty() ? 0 : data_[pos_++]; }
  uint16_t u16() {
    const uint16_t hi = u8();
    return static_cast<uint16_t>((hi << 8) | u8());
  }
  ByteView bytes(size_t n) {
    n = std::min(n, remaining());
    ByteView v = data_.subspan(pos_, n);
    pos_ += n;
    return v;
  }
  ByteView rest() { return bytes(remaining()); }

 private:
  ByteView data_;
  size_t pos_ = 0;
};

}  // namespace snr::fuzz
