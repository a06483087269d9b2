// Connection::client_hello(): the server keeps the first ClientHello it received, and its
// fingerprints identify the client configuration, not the connection.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "pair.hpp"

namespace snr::test {
namespace {

const uint16_t kSchemes[] = {0x0403, 0x0503, 0x0804, 0x0805, 0x0401, 0x0501};

// A policy owning its lists.
struct TestPolicy {
  std::vector<uint16_t> suites, groups;
  detail::PolicyData data;
  TestPolicy(std::vector<uint16_t> s, std::vector<uint16_t> g)
      : suites(std::move(s)), groups(std::move(g)) {
    data = detail::PolicyData{"test", Version::TLS12, suites, kSchemes, groups, {}};
  }
  Policy policy() const { return Policy(&data); }
};

// An ecdsa-p256 server, or a client trusting its CA, with optional ALPN preferences.
Config make_config(bool server, const Policy& policy,
                   std::initializer_list<std::string_view> alpn) {
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
  EXPECT_TRUE(b.with_system_certs(false).ok());
  EXPECT_TRUE(b.set_security_policy(policy).ok());
  if (server) {
    EXPECT_TRUE(b.load_pem(read_file(data_path("ecdsa-p256-cert.pem")),
                           read_file(data_path("ecdsa-p256-key.pem")))
                    .ok());
  } else {
    EXPECT_TRUE(b.trust_pem(read_file(data_path("ca-cert.pem"))).ok());
  }
  if (alpn.size() != 0) {
    EXPECT_TRUE(b.set_application_protocol_preference(alpn).ok());
  }
  return *b.build();
}
Config client_cfg(const Policy& policy, std::initializer_list<std::string_view> alpn = {}) {
  return make_config(false, policy, alpn);
}
Config server_cfg(const Policy& policy, std::initializer_list<std::string_view> alpn = {}) {
  return make_config(true, policy, alpn);
}

std::string hash_of(const ClientHello& ch, FingerprintType type) {
  auto f = ch.fingerprint(type);
  EXPECT_TRUE(f.ok()) << f.error().message();
  return f.ok() ? f->hash() : std::string();
}

std::vector<uint16_t> as_vector(std::span<const uint16_t> list) {
  return std::vector<uint16_t>(list.begin(), list.end());
}

// The group of the first KeyShareEntry in a ClientHello key_share extension.
uint16_t first_share_group(const ClientHello& ch) {
  auto ks = ch.extension(51);
  if (!ks || ks->size() < 4) return 0;
  return static_cast<uint16_t>(((*ks)[2] << 8) | (*ks)[3]);
}

TEST(ServerClientHello, ReportsWhatTheClientSent) {
  TestPolicy client_pol({0x1302, 0x1301}, {0x001d, 0x0017});
  TestPolicy server_pol({0x1301, 0x1302}, {0x001d, 0x0017});
  Pair p(client_cfg(client_pol.policy(), {"h2", "http/1.1"}),
         server_cfg(server_pol.policy(), {"h2"}));
  EXPECT_EQ(p.server.client_hello(), nullptr);
  EXPECT_EQ(p.client.client_hello(), nullptr);

  auto err = p.handshake();
  ASSERT_FALSE(err) << err->message();
  EXPECT_EQ(p.client.client_hello(), nullptr);  // clients never have one
  const ClientHello* ch = p.server.client_hello();
  ASSERT_NE(ch, nullptr);

  EXPECT_EQ(ch->legacy_version(), 0x0303);
  EXPECT_EQ(ch->server_name(), "localhost");
  EXPECT_EQ(ch->server_name(), *p.server.server_name());
  EXPECT_EQ(ch->session_id().size(), 32u);  // middlebox compatibility mode
  EXPECT_EQ(as_vector(ch->cipher_suites()), client_pol.suites);
  EXPECT_EQ(as_vector(ch->supported_groups()), client_pol.groups);
  EXPECT_EQ(
      std::vector<uint8_t>(ch->compression_methods().begin(), ch->compression_methods().end()),
      std::vector<uint8_t>{0});
  EXPECT_TRUE(ch->has_extension(43));  // supported_versions
  EXPECT_EQ(first_share_group(*ch), 0x001d);
  auto alpn = ch->extension(16);
  ASSERT_TRUE(alpn.has_value());
  EXPECT_EQ(std::string(alpn->begin(), alpn->end()), std::string("\x00\x0c\x02h2\x08http/1.1", 14));

  // JA4 part a: TLS 1.3, SNI, 2 ciphers, ALPN h2 (the extension count depends on the client).
  const std::string ja4 = hash_of(*ch, FingerprintType::JA4);
  ASSERT_EQ(ja4.size(), 36u);
  EXPECT_EQ(ja4.substr(0, 6), "t13d02");
  EXPECT_EQ(ja4.substr(8, 3), "h2_");
  // JA3 starts with the legacy version and the suites in the client's order.
  auto ja3 = ch->fingerprint(FingerprintType::JA3);
  ASSERT_TRUE(ja3.ok());
  EXPECT_EQ(ja3->raw().substr(0, 14), "771,4866-4865,");
}

TEST(ServerClientHello, FingerprintsAreStableAcrossConnections) {
  TestPolicy pol({0x1301, 0x1303}, {0x001d});
  Pair a(client_cfg(pol.policy(), {"h2"}), server_cfg(pol.policy(), {"h2"}));
  Pair b(client_cfg(pol.policy(), {"h2"}), server_cfg(pol.policy(), {"h2"}));
  ASSERT_FALSE(a.handshake());
  ASSERT_FALSE(b.handshake());
  const ClientHello* ca = a.server.client_hello();
  const ClientHello* cb = b.server.client_hello();
  ASSERT_TRUE(ca && cb);
  // Two different hellos (fresh random, session id, key share)...
  EXPECT_NE(ca->random(), cb->random());
  EXPECT_FALSE(std::equal(ca->raw_message().begin(), ca->raw_message().end(),
                          cb->raw_message().begin(), cb->raw_message().end()));
  // ...of one client configuration.
  for (auto type : {FingerprintType::JA3, FingerprintType::JA4}) {
    EXPECT_EQ(hash_of(*ca, type), hash_of(*cb, type));
  }
  // A different configuration fingerprints differently.
  TestPolicy other({0x1301}, {0x001d});
  Pair c(client_cfg(other.policy(), {"h2"}), server_cfg(pol.policy(), {"h2"}));
  ASSERT_FALSE(c.handshake());
  ASSERT_NE(c.server.client_hello(), nullptr);
  for (auto type : {FingerprintType::JA3, FingerprintType::JA4}) {
    EXPECT_NE(hash_of(*c.server.client_hello(), type), hash_of(*ca, type));
  }
}

TEST(ServerClientHello, HelloRetryKeepsTheFirstHello) {
  // The client's first share is for secp256r1, which the server refuses: HelloRetryRequest,
  // then a second ClientHello with an x25519 share.
  TestPolicy client_pol({0x1301}, {0x0017, 0x001d});
  TestPolicy server_pol({0x1301}, {0x001d});
  Pair p(client_cfg(client_pol.policy()), server_cfg(server_pol.policy()));
  ASSERT_FALSE(p.handshake());
  ASSERT_EQ(*p.server.handshake_type(),
            "NEGOTIATED|FULL_HANDSHAKE|HELLO_RETRY_REQUEST|MIDDLEBOX_COMPAT");
  const ClientHello* ch = p.server.client_hello();
  ASSERT_NE(ch, nullptr);
  EXPECT_EQ(first_share_group(*ch), 0x0017);
  EXPECT_FALSE(ch->has_extension(44));  // no cookie: that belongs to the second hello
}

TEST(ServerClientHello, Tls12Client) {
  TestPolicy pol({0xc02b, 0xc02c}, {0x001d, 0x0017});
  Pair p(client_cfg(pol.policy()), server_cfg(pol.policy()));
  ASSERT_FALSE(p.handshake());
  ASSERT_EQ(*p.client.actual_protocol_version(), Version::TLS12);
  const ClientHello* ch = p.server.client_hello();
  ASSERT_NE(ch, nullptr);
  EXPECT_EQ(ch->legacy_version(), 0x0303);
  EXPECT_EQ(ch->server_name(), "localhost");
  EXPECT_EQ(hash_of(*ch, FingerprintType::JA4).substr(0, 4), "t12d");
}

TEST(ServerClientHello, KeptWhenTheHandshakeFails) {
  // No common suite: the handshake fails, but the server saw (and kept) the hello, as an
  // application inspecting a failed connection would want.
  TestPolicy client_pol({0x1302}, {0x001d});
  TestPolicy server_pol({0x1301}, {0x001d});
  Pair p(client_cfg(client_pol.policy()), server_cfg(server_pol.policy()));
  ASSERT_TRUE(p.handshake().has_value());
  const ClientHello* ch = p.server.client_hello();
  ASSERT_NE(ch, nullptr);
  EXPECT_EQ(as_vector(ch->cipher_suites()), std::vector<uint16_t>{0x1302});
}

}  // namespace
}  // namespace snr::test
