// TLS 1.3 KeyUpdate sent on request and at the AES-GCM record limit, and the RFC 8446 7.5
// exporter, between an snr client and server.
#include <gtest/gtest.h>

#include "core/connection_state.hpp"
#include "pair.hpp"

namespace snr::test {
namespace {

const uint16_t kSchemes[] = {0x0403, 0x0804, 0x0807};

struct OnePolicy {
  std::vector<uint16_t> suites, groups{0x001d};
  detail::PolicyData data;
  OnePolicy(std::vector<uint16_t> s, Version min = Version::TLS13) : suites(std::move(s)) {
    data = detail::PolicyData{"key-update", min, suites, kSchemes, groups, {}};
  }
  Policy policy() const { return Policy(&data); }
};

std::span<const uint8_t> bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(KeyUpdate, RequestedUpdatesGoBeforeTheNextData) {
  for (uint16_t suite : {0x1301, 0x1302, 0x1303}) {
    SCOPED_TRACE(suite);
    OnePolicy p13({suite});
    Pair p(client_config(p13.policy()), server_config("ecdsa-p256", p13.policy()));
    ASSERT_FALSE(p.handshake());
    for (int round = 1; round <= 3; ++round) {
      ASSERT_TRUE(p.client.request_key_update(PeerKeyUpdate::KeyUpdateNotRequested).ok());
      EXPECT_EQ(transfer(p.client, p.server, "after update"), "after update");
      EXPECT_EQ(p.client.key_update_counts().send_key_updates, round);
      EXPECT_EQ(p.server.key_update_counts().recv_key_updates, round);
    }
    ASSERT_TRUE(p.server.request_key_update(PeerKeyUpdate::KeyUpdateNotRequested).ok());
    EXPECT_EQ(transfer(p.server, p.client, "server side"), "server side");
    EXPECT_EQ(p.client.key_update_counts().recv_key_updates, 1);
    // The peer's key did not change: its data still flows.
    EXPECT_EQ(transfer(p.client, p.server, "still fine"), "still fine");
  }
}

TEST(KeyUpdate, AskingThePeerToUpdateToo) {
  OnePolicy p13({0x1301});
  Pair p(client_config(p13.policy()), server_config("ecdsa-p256", p13.policy()));
  ASSERT_FALSE(p.handshake());
  ASSERT_TRUE(p.client.request_key_update(PeerKeyUpdate::KeyUpdatedRequested).ok());
  EXPECT_EQ(transfer(p.client, p.server, "please update"), "please update");
  // The server answered with its own KeyUpdate, which the client reads with the next data.
  EXPECT_EQ(p.server.key_update_counts().send_key_updates, 1);
  EXPECT_EQ(transfer(p.server, p.client, "updated"), "updated");
  EXPECT_EQ(p.client.key_update_counts().recv_key_updates, 1);
  EXPECT_EQ(transfer(p.client, p.server, "both new"), "both new");
}

TEST(KeyUpdate, RefusedBeforeTheHandshakeAndBelowTls13) {
  OnePolicy p13({0x1301});
  Pair p(client_config(p13.policy()), server_config("ecdsa-p256", p13.policy()));
  EXPECT_FALSE(p.client.request_key_update(PeerKeyUpdate::KeyUpdateNotRequested).ok());
  ASSERT_FALSE(p.handshake());
  OnePolicy p12({0xC02B}, Version::TLS12);
  Pair q(client_config(p12.policy()), server_config("ecdsa-p256", p12.policy()));
  ASSERT_FALSE(q.handshake());
  EXPECT_FALSE(q.client.request_key_update(PeerKeyUpdate::KeyUpdateNotRequested).ok());
}

TEST(KeyUpdate, AesGcmUpdatesItselfAtTheRecordLimit) {
  for (uint16_t suite : {0x1301, 0x1303}) {
    SCOPED_TRACE(suite);
    OnePolicy p13({suite});
    Pair p(client_config(p13.policy()), server_config("ecdsa-p256", p13.policy()));
    ASSERT_FALSE(p.handshake());
    // Pretend the client has sent almost as many records as one AES-GCM key may protect.
    p.client.state().rl.write_protection()->set_sequence(23'726'565 - 1);
    p.server.state().rl.read_protection()->set_sequence(23'726'565 - 1);
    EXPECT_EQ(transfer(p.client, p.server, "x"), "x");
    const bool gcm = suite != 0x1303;
    EXPECT_EQ(p.client.key_update_counts().send_key_updates, gcm ? 1 : 0);
    EXPECT_EQ(p.server.key_update_counts().recv_key_updates, gcm ? 1 : 0);
    EXPECT_EQ(transfer(p.client, p.server, "after"), "after");
  }
}

TEST(Exporter, BothSidesDeriveTheSameKeyingMaterial) {
  for (uint16_t suite : {0x1301, 0x1302}) {
    OnePolicy p13({suite});
    Pair p(client_config(p13.policy()), server_config("ecdsa-p256", p13.policy()));
    ASSERT_FALSE(p.handshake());
    uint8_t c[48], s[48], other[48], no_ctx[48];
    ASSERT_TRUE(p.client.tls_exporter(bytes("EXPERIMENTAL snr"), bytes("ctx"), c).ok());
    ASSERT_TRUE(p.server.tls_exporter(bytes("EXPERIMENTAL snr"), bytes("ctx"), s).ok());
    EXPECT_EQ(std::vector<uint8_t>(c, c + 48), std::vector<uint8_t>(s, s + 48));
    ASSERT_TRUE(p.client.tls_exporter(bytes("EXPERIMENTAL other"), bytes("ctx"), other).ok());
    EXPECT_NE(std::vector<uint8_t>(c, c + 48), std::vector<uint8_t>(other, other + 48));
    ASSERT_TRUE(p.client.tls_exporter(bytes("EXPERIMENTAL snr"), {}, no_ctx).ok());
    EXPECT_NE(std::vector<uint8_t>(c, c + 48), std::vector<uint8_t>(no_ctx, no_ctx + 48));
    // A second connection exports something else.
    Pair q(client_config(p13.policy()), server_config("ecdsa-p256", p13.policy()));
    ASSERT_FALSE(q.handshake());
    uint8_t c2[48];
    ASSERT_TRUE(q.client.tls_exporter(bytes("EXPERIMENTAL snr"), bytes("ctx"), c2).ok());
    EXPECT_NE(std::vector<uint8_t>(c, c + 48), std::vector<uint8_t>(c2, c2 + 48));
  }
}

TEST(Exporter, OnlyAfterTheHandshake) {
  OnePolicy p13({0x1301});
  Pair p(client_config(p13.policy()), server_config("ecdsa-p256", p13.policy()));
  uint8_t out[16];
  EXPECT_FALSE(p.client.tls_exporter(bytes("label"), {}, out).ok());
}

TEST(Exporter, Rfc5705InTls12) {
  for (uint16_t suite : {0xC02B, 0xC02C}) {  // the PRF's hash: SHA-256, SHA-384
    OnePolicy p12({suite}, Version::TLS12);
    Pair q(client_config(p12.policy()), server_config("ecdsa-p256", p12.policy()));
    ASSERT_FALSE(q.handshake());
    uint8_t c[40], s[40], ctx[40];
    ASSERT_TRUE(q.client.tls_exporter(bytes("EXPERIMENTAL x"), {}, c).ok());
    ASSERT_TRUE(q.server.tls_exporter(bytes("EXPERIMENTAL x"), {}, s).ok());
    EXPECT_EQ(std::vector<uint8_t>(c, c + 40), std::vector<uint8_t>(s, s + 40));
    ASSERT_TRUE(q.client.tls_exporter(bytes("EXPERIMENTAL x"), bytes("c"), ctx).ok());
    EXPECT_NE(std::vector<uint8_t>(c, c + 40), std::vector<uint8_t>(ctx, ctx + 40));
  }
}

}  // namespace
}  // namespace snr::test
