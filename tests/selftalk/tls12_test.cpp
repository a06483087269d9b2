// TLS 1.2 (and 1.0/1.1) client and server in memory: every suite snr implements x the
// certificates that can serve it, and version negotiation between policies.
#include <gtest/gtest.h>

#include "core/connection_state.hpp"
#include "pair.hpp"
#include "policy/registry.hpp"
#include "util/alerts.hpp"

namespace snr::test {
namespace {

const uint16_t kSchemes[] = {0x0403, 0x0503, 0x0603, 0x0809, 0x080a, 0x080b, 0x0804, 0x0805,
                             0x0806, 0x0401, 0x0501, 0x0601, 0x0807, 0x0201, 0x0203};
const uint16_t kGroups[] = {0x001d, 0x0017, 0x0018, 0x0019};

struct Policy12 {
  std::vector<uint16_t> suites;
  detail::PolicyData data;
  Policy12(std::vector<uint16_t> s, Version min = Version::TLS10) : suites(std::move(s)) {
    data = detail::PolicyData{"test12", min, suites, kSchemes, kGroups, {}};
  }
  Policy policy() const { return Policy(&data); }
};

Config server12(const std::string& kind, const Policy& policy) {
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
  EXPECT_TRUE(b.with_system_certs(false).ok());
  EXPECT_TRUE(b.set_security_policy(policy).ok());
  EXPECT_TRUE(
      b.load_pem(read_file(data_path(kind + "-cert.pem")), read_file(data_path(kind + "-key.pem")))
          .ok());
  auto dh = b.add_dhparams(read_file(data_path("dhparams-ffdhe2048.pem")));
  EXPECT_TRUE(dh.ok()) << dh.error().message();
  return *b.build();
}

struct Case {
  uint16_t suite;
  const char* cert;
  Version version;
};

class Tls12 : public ::testing::TestWithParam<Case> {};

TEST_P(Tls12, HandshakeDataAndClose) {
  const Case c = GetParam();
  const policy::CipherSuite* suite = policy::find_suite(c.suite);
  ASSERT_NE(suite, nullptr);
  ASSERT_TRUE(suite->implemented) << suite->iana_name;
  Policy12 pol({c.suite});
  Pair p(client_config(pol.policy()), server12(c.cert, pol.policy()));
  auto err = p.handshake();
  ASSERT_FALSE(err) << err->name() << ": " << err->message();
  for (Connection* conn : {&p.client, &p.server}) {
    EXPECT_EQ(*conn->actual_protocol_version(), Version::TLS12);
    EXPECT_EQ(*conn->cipher_suite(), suite->openssl_name);
    std::string type = "NEGOTIATED|FULL_HANDSHAKE";
    if (suite->kx != policy::KeyExchange::RSA) type += "|TLS12_PERFECT_FORWARD_SECRECY";
    EXPECT_EQ(*conn->handshake_type(), type);
  }
  auto cm = p.client.master_secret();
  auto sm = p.server.master_secret();
  ASSERT_TRUE(cm.ok());
  ASSERT_TRUE(sm.ok());
  EXPECT_EQ(cm->size(), 48u);
  EXPECT_EQ(*cm, *sm);
  EXPECT_EQ(p.client.peer_cert_chain()->len(), 2u);

  std::string hello = "hello over TLS 1.2";
  EXPECT_EQ(transfer(p.client, p.server, hello), hello);
  std::string big(70000, 'q');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('A' + i % 23);
  EXPECT_EQ(transfer(p.server, p.client, big), big);

  EXPECT_TRUE(p.client.poll_shutdown_send().is_ready());
  uint8_t buf[8];
  auto r = p.server.poll_recv(buf);
  ASSERT_TRUE(r.is_ready());
  EXPECT_EQ(r.value(), 0u);
}

std::vector<Case> cases() {
  std::vector<Case> out;
  const uint16_t ecdsa[] = {0xC02B, 0xC02C, 0xCCA9, 0xC023, 0xC024, 0xC009, 0xC00A};
  const uint16_t ecdhe_rsa[] = {0xC02F, 0xC030, 0xCCA8, 0xC027, 0xC028, 0xC013, 0xC014};
  const uint16_t dhe_rsa[] = {0x009E, 0x009F, 0xCCAA, 0x0067, 0x006B, 0x0033, 0x0039};
  const uint16_t rsa_kx[] = {0x009C, 0x009D, 0x003C, 0x003D, 0x002F, 0x0035};
  for (uint16_t s : ecdsa)
    for (const char* cert : {"ecdsa-p256", "ecdsa-p384", "ed25519"})
      out.push_back({s, cert, Version::TLS12});
  for (uint16_t s : ecdhe_rsa)
    for (const char* cert : {"rsa2048", "rsapss"}) out.push_back({s, cert, Version::TLS12});
  for (uint16_t s : dhe_rsa) out.push_back({s, "rsa2048", Version::TLS12});
  for (uint16_t s : rsa_kx) out.push_back({s, "rsa2048", Version::TLS12});
  return out;
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  std::string n =
      std::string(policy::find_suite(info.param.suite)->openssl_name) + "_" + info.param.cert;
  for (char& ch : n)
    if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(Suites, Tls12, ::testing::ValuesIn(cases()), case_name);

// TLS 1.0 and 1.1 with CBC-SHA suites: a client whose policy stops at the old version.
class Legacy : public ::testing::TestWithParam<std::tuple<Version, uint16_t, const char*>> {};

TEST_P(Legacy, OldVersionsNegotiateAndCarryData) {
  auto [version, suite_id, cert] = GetParam();
  // The server allows TLS 1.0-1.2; the client's legacy_version caps it.
  Policy12 server_pol({suite_id});
  Policy12 client_pol({suite_id});
  Pair p(client_config(client_pol.policy()), server12(cert, server_pol.policy()));
  p.client.state().test_max_version = version;
  auto err = p.handshake();
  ASSERT_FALSE(err) << err->name() << ": " << err->message();
  EXPECT_EQ(*p.client.actual_protocol_version(), version);
  EXPECT_EQ(*p.server.actual_protocol_version(), version);
  std::string msg = "legacy data, more than one byte to exercise the 1/n-1 split";
  EXPECT_EQ(transfer(p.client, p.server, msg), msg);
  EXPECT_EQ(transfer(p.server, p.client, msg), msg);
}

INSTANTIATE_TEST_SUITE_P(Versions, Legacy,
                         ::testing::Combine(::testing::Values(Version::TLS10, Version::TLS11),
                                            ::testing::Values(uint16_t{0xC013}, uint16_t{0xC014},
                                                              uint16_t{0x002F}, uint16_t{0x0033}),
                                            ::testing::Values("rsa2048")));

TEST(VersionNegotiation, Tls13OnlyClientAgainstTls12OnlyServerIsProtocolVersion) {
  Policy12 server_pol({0xC02F});
  static const uint16_t k13[] = {0x1301};
  detail::PolicyData client_data{"tls13only", Version::TLS13, k13, kSchemes, kGroups, {}};
  Pair p(client_config(Policy(&client_data)), server12("rsa2048", server_pol.policy()));
  auto err = p.handshake();
  ASSERT_TRUE(err.has_value());
  auto s = p.server.poll_negotiate();
  ASSERT_TRUE(s.is_error());
  EXPECT_EQ(s.error().alert(), alert::protocol_version);
}

TEST(VersionNegotiation, DefaultClientAndTls12OnlyServerAgreeOnTls12) {
  Policy12 server_pol({0xC02B});
  Pair p(client_config(), server12("ecdsa-p256", server_pol.policy()));
  auto err = p.handshake();
  ASSERT_FALSE(err) << err->message();
  EXPECT_EQ(*p.client.actual_protocol_version(), Version::TLS12);
  EXPECT_EQ(*p.client.cipher_suite(), "ECDHE-ECDSA-AES128-GCM-SHA256");
  EXPECT_FALSE(p.client.master_secret()->empty());
}

TEST(VersionNegotiation, DefaultPoliciesPreferTls13) {
  Pair p(client_config(), server_config("rsa2048"));
  ASSERT_FALSE(p.handshake());
  EXPECT_EQ(*p.client.actual_protocol_version(), Version::TLS13);
  EXPECT_FALSE(p.client.master_secret().ok());
}

}  // namespace
}  // namespace snr::test

namespace snr::test {
namespace {

TEST(LegacyCiphers, PolicyOfOnly3desAndRc4IsAUsageError) {
  // TLS_RSA_WITH_3DES_EDE_CBC_SHA and TLS_RSA_WITH_RC4_128_SHA: listed by old policies, never
  // offered by snr.
  Policy12 pol({0x000A, 0x0005});
  Connection c = Connection::new_client();
  ASSERT_TRUE(c.set_config(client_config(pol.policy())).ok());
  ASSERT_TRUE(c.set_send_callback([](const uint8_t*, uint32_t n) { return int(n); }).ok());
  ASSERT_TRUE(c.set_receive_callback([](uint8_t*, uint32_t) { return 0; }).ok());
  auto r = c.poll_negotiate();
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().kind(), ErrorKind::Usage);
  EXPECT_EQ(r.error().name(), "S2N_ERR_POLICY_CIPHERS_NOT_OFFERED");
}

TEST(SignatureFallback, ClientOfferingNoUsableSchemeGetsThePolicyFallback) {
  // The client offers only rsa_pss_pss_sha256, which an ECDSA key cannot make. Like s2n, the
  // server falls back to ecdsa_sha1 (the RFC 5246 default) when its policy allows it; a client
  // that did not offer it refuses the signature.
  static const uint16_t kPssOnly[] = {0x0809};
  static const uint16_t kSuites[] = {0xC02B};
  detail::PolicyData client_data{"pss-only", Version::TLS12, kSuites, kPssOnly, kGroups, {}};
  Policy12 server_pol({0xC02B});
  Pair p(client_config(Policy(&client_data)), server12("ecdsa-p256", server_pol.policy()));
  auto err = p.handshake();
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->name(), "S2N_ERR_BAD_SIGNATURE_SCHEME");
}

}  // namespace
}  // namespace snr::test
