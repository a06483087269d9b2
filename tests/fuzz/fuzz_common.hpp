// Shared by the fuzz targets, their replay driver and the corpus capture program: test data,
// the deterministic crypto provider, the configurations of the whole-connection targets, and
// the input cursor.
#pragma once

#include <algorithm>
#include <chrono>
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
class DeterministicProvider : public crypto::Provider {
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

class FuzzProvider final : public DeterministicProvider {};

// The provider of the null-crypto targets (server_null, client_null): deterministic like
// FuzzProvider, and with null_crypto() on, so that the fuzzer, playing the peer, gets past
// everything a peer cannot forge without keys: records are plaintext framed like the real
// cipher (record/null_protection.hpp), Finished and PSK binders of the right length pass,
// peer signatures (CertificateVerify, ServerKeyExchange) pass, and every well-formed (EC)DHE
// share yields one fixed shared secret. Finite-field DHE and the RSA key exchange stay real:
// their results only feed keys, which null protection ignores. Lives only in tests/fuzz.
class NullFuzzProvider final : public DeterministicProvider {
 public:
  bool null_crypto() const override { return true; }
  Status verify(const crypto::PublicKey&, crypto::SigParams, ByteView, ByteView) override {
    return {};
  }
  Result<SecureBytes> derive(const crypto::KeyShare& mine, ByteView peer) override {
    // The length (and point format) each group's share must have (RFC 8446 4.2.8.2).
    size_t want = 0;
    switch (mine.group()) {
      case crypto::group::x25519:
        want = 32;
        break;
      case crypto::group::secp256r1:
        want = 65;
        break;
      case crypto::group::secp384r1:
        want = 97;
        break;
      case crypto::group::secp521r1:
        want = 133;
        break;
      default:
        return mine.derive(peer);
    }
    SNR_ENSURE(peer.size() == want, Err::BAD_KEY_SHARE);
    SNR_ENSURE(mine.group() == crypto::group::x25519 || peer[0] == 0x04, Err::BAD_KEY_SHARE);
    SecureBytes shared(32);
    for (uint8_t& b : shared.mut_view()) b = 0x5a;
    return shared;
  }
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

// The server of the `server_null` target: fuzz_server_config (with `rsa` the RSA 2048 leaf
// instead, for the RSA key exchange and DHE_RSA) without chain validation (the fuzzer may
// send any client certificate), with session tickets under a fixed key (tickets it issues
// stay real and open again), and with `client_auth` a CertificateRequest
// (ClientAuthType::Optional).
inline Result<Config> fuzz_server_null_config(bool client_auth, bool rsa) {
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
  SNR_TRY(b.with_system_certs(false));
  SNR_TRY_ASSIGN(Policy policy, Policy::from_version("test_all"));
  SNR_TRY(b.set_security_policy(policy));
  const std::string leaf = rsa ? "rsa2048" : "ecdsa-p256";
  SNR_TRY(b.load_pem(read_data_file(leaf + "-cert.pem"), read_data_file(leaf + "-key.pem")));
  SNR_TRY(b.add_dhparams(read_data_file("dhparams-ffdhe2048.pem")));
  SNR_TRY(b.set_wall_clock([] { return kFuzzClockNs; }));
  SNR_TRY(b.disable_x509_verification());
  static const uint8_t kTicketName[] = {'f', 'u', 'z', 'z'};
  static const uint8_t kTicketKey[32] = {0x0f, 0x1e, 0x2d, 0x3c};
  SNR_TRY(
      b.add_session_ticket_key(kTicketName, kTicketKey,
                               std::chrono::system_clock::time_point(
                                   std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                       std::chrono::nanoseconds(kFuzzClockNs)))));
  if (client_auth) SNR_TRY(b.set_client_auth_type(ClientAuthType::Optional));
  return b.build();
}

// The client of the `client_null` target: policy test_all, no chain validation, session
// tickets accepted, and an RSA client certificate it sends when a server asks.
inline Result<Config> fuzz_client_null_config() {
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
  SNR_TRY(b.with_system_certs(false));
  SNR_TRY_ASSIGN(Policy policy, Policy::from_version("test_all"));
  SNR_TRY(b.set_security_policy(policy));
  SNR_TRY(b.set_wall_clock([] { return kFuzzClockNs; }));
  SNR_TRY(b.disable_x509_verification());
  SNR_TRY(b.load_pem(read_data_file("rsa2048-cert.pem"), read_data_file("rsa2048-key.pem")));
  SNR_TRY(b.set_client_auth_type(ClientAuthType::Optional));
  SNR_TRY(b.enable_session_tickets(true));
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
