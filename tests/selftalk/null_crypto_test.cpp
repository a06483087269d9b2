// Null crypto (the fuzz targets' NullFuzzProvider) must never be the default: a connection
// without a test provider uses libcrypto, its records carry real tags and a tampered record
// is refused. The null case is the control that shows the tampering would go unnoticed there.
#include <gtest/gtest.h>

#include "core/connection_state.hpp"
#include "pair.hpp"
#include "record/null_protection.hpp"

namespace snr::test {
namespace {

class NullProvider final : public crypto::Provider {
 public:
  bool null_crypto() const override { return true; }
};

Config all_client() {
  auto p = Policy::from_version("test_all");
  return client_config(*p);
}
Config all_server() {
  auto p = Policy::from_version("test_all");
  return server_config("ecdsa-p256", *p);
}

// What the server's poll_recv made of the tampered record: bytes read, or an error name.
struct Outcome {
  size_t read = 0;
  std::string error;
};

// After a handshake at `version`, the client sends "hello" and byte `at` of its record (from
// the end when negative) is flipped on the way.
Outcome tampered_record(Version version, crypto::Provider* client_provider,
                        crypto::Provider* server_provider, int at, Pair& pair) {
  pair.client.state().test_max_version = version;
  if (client_provider) pair.client.state().provider = client_provider;
  if (server_provider) pair.server.state().provider = server_provider;
  if (auto err = pair.handshake()) return {0, "handshake: " + err->message()};
  pair.c2s.bytes.clear();
  if (!pair.client.poll_send(std::string_view("hello")).is_ready()) return {0, "send"};
  const size_t n = pair.c2s.bytes.size();
  const size_t i = at < 0 ? n - static_cast<size_t>(-at) : static_cast<size_t>(at);
  pair.c2s.bytes[i] ^= 0x01;
  uint8_t buf[64];
  for (int k = 0; k < 10; ++k) {
    auto r = pair.server.poll_recv(buf);
    if (r.is_error()) return {0, std::string(r.error().name())};
    if (r.is_ready()) return {r.value(), ""};
  }
  return {0, "no record"};
}

TEST(NullCrypto, NotTheDefault) {
  Connection client(Mode::Client), server(Mode::Server);
  EXPECT_EQ(client.state().provider, &crypto::Provider::system());
  EXPECT_EQ(server.state().provider, &crypto::Provider::system());
  EXPECT_FALSE(crypto::null_crypto(client.state().provider));
  EXPECT_FALSE(crypto::Provider::system().null_crypto());
  EXPECT_FALSE(crypto::null_crypto(nullptr));
}

TEST(NullCrypto, DefaultProviderInstallsRealProtection) {
  for (Version v : {Version::TLS13, Version::TLS12}) {
    Pair pair(all_client(), all_server());
    pair.client.state().test_max_version = v;
    ASSERT_FALSE(pair.handshake().has_value());
    for (Connection* c : {&pair.client, &pair.server}) {
      ASSERT_NE(c->state().rl.read_protection(), nullptr);
      EXPECT_EQ(dynamic_cast<record::NullProtection*>(c->state().rl.read_protection()), nullptr);
      EXPECT_EQ(dynamic_cast<record::NullProtection*>(c->state().rl.write_protection()), nullptr);
    }
    // The record is not plaintext: "hello" does not appear on the wire.
    pair.c2s.bytes.clear();
    ASSERT_TRUE(pair.client.poll_send(std::string_view("hello")).is_ready());
    const std::string wire(pair.c2s.bytes.begin(), pair.c2s.bytes.end());
    EXPECT_EQ(wire.find("hello"), std::string::npos);
  }
}

TEST(NullCrypto, TamperedTagRefusedWithDefaultProvider) {
  for (Version v : {Version::TLS13, Version::TLS12}) {
    Pair pair(all_client(), all_server());
    const Outcome r = tampered_record(v, nullptr, nullptr, -1, pair);
    EXPECT_EQ(r.error, "S2N_ERR_DECRYPT") << static_cast<int>(v);
    EXPECT_EQ(r.read, 0u);
  }
}

// The control: with null crypto on both sides the handshake completes without any real
// check, the data travels in the clear, and the same tampering goes through.
TEST(NullCrypto, NullProviderIgnoresTags) {
  for (Version v : {Version::TLS13, Version::TLS12}) {
    NullProvider cp, sp;
    Pair pair(all_client(), all_server());
    const Outcome r = tampered_record(v, &cp, &sp, -1, pair);
    EXPECT_EQ(r.error, "") << static_cast<int>(v);
    EXPECT_EQ(r.read, 5u);
    EXPECT_NE(dynamic_cast<record::NullProtection*>(pair.server.state().rl.read_protection()),
              nullptr);
  }
}

}  // namespace
}  // namespace snr::test
