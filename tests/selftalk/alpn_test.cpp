// ALPN (RFC 7301) in TLS 1.3 and TLS 1.2: the server picks by its own preference order.
#include <gtest/gtest.h>

#include "pair.hpp"

namespace snr::test {
namespace {

Config with_alpn(bool server, std::initializer_list<std::string_view> protos,
                 const Policy& policy) {
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
  EXPECT_TRUE(b.set_application_protocol_preference(protos).ok());
  return *b.build();
}

Config client_alpn(std::initializer_list<std::string_view> p, const Policy& pol) {
  return with_alpn(false, p, pol);
}
Config server_alpn(std::initializer_list<std::string_view> p, const Policy& pol) {
  return with_alpn(true, p, pol);
}

class Alpn : public ::testing::TestWithParam<const char*> {
 protected:
  Policy policy() const { return *Policy::from_version(GetParam()); }
};

TEST_P(Alpn, ServerPicksItsOwnFirstMatch) {
  Pair p(client_alpn({"http/1.1", "h2"}, policy()), server_alpn({"h2", "http/1.1"}, policy()));
  ASSERT_FALSE(p.handshake());
  EXPECT_EQ(p.client.application_protocol(), "h2");
  EXPECT_EQ(p.server.application_protocol(), "h2");
}

TEST_P(Alpn, NoOverlapContinuesWithoutAlpn) {
  Pair p(client_alpn({"h2"}, policy()), server_alpn({"smtp"}, policy()));
  ASSERT_FALSE(p.handshake());
  EXPECT_FALSE(p.client.application_protocol().has_value());
  EXPECT_FALSE(p.server.application_protocol().has_value());
}

TEST_P(Alpn, ClientWithoutAlpnGetsNone) {
  Pair p(client_config(policy()), server_alpn({"h2"}, policy()));
  ASSERT_FALSE(p.handshake());
  EXPECT_FALSE(p.client.application_protocol().has_value());
  EXPECT_FALSE(p.server.application_protocol().has_value());
}

TEST_P(Alpn, ConnectionPreferenceOverridesConfig) {
  Pair p(client_alpn({"h2"}, policy()), server_alpn({"h2", "spdy/3"}, policy()));
  ASSERT_TRUE(p.client.set_application_protocol_preference({"spdy/3"}).ok());
  ASSERT_TRUE(p.client.append_application_protocol_preference("h3").ok());
  ASSERT_FALSE(p.handshake());
  EXPECT_EQ(p.client.application_protocol(), "spdy/3");
}

// 20240501 is TLS 1.2 only; default negotiates TLS 1.3.
INSTANTIATE_TEST_SUITE_P(Versions, Alpn, ::testing::Values("default", "20240501"));

TEST(AlpnNames, EmptyAndOverlongNamesAreRefused) {
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
  EXPECT_FALSE(b.append_application_protocol_preference("").ok());
  EXPECT_FALSE(b.append_application_protocol_preference(std::string(256, 'a')).ok());
  EXPECT_TRUE(b.append_application_protocol_preference(std::string(255, 'a')).ok());
  Connection c = Connection::new_client();
  EXPECT_FALSE(c.set_application_protocol_preference({"ok", ""}).ok());
}

}  // namespace
}  // namespace snr::test
