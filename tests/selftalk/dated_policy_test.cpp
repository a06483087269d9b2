// Dated (TLS 1.2-era) security policies on the CLIENT side: the client must build a ClientHello
// from them and complete a handshake. A client whose hello offers no suite fails before sending
// anything ("no mutually supported cipher suite", only an alert on the wire), which the server
// side alone never shows.
#include <gtest/gtest.h>

#include <algorithm>

#include "hs/versions.hpp"
#include "pair.hpp"
#include "policy/registry.hpp"

namespace snr::test {
namespace {

Policy named(const char* name) {
  auto p = Policy::from_version(name);
  if (!p.ok()) throw std::runtime_error(std::string("policy ") + name + ": " + p.error().message());
  return *p;
}

bool lists_suite(const Policy& policy, std::string_view openssl_name) {
  const auto& ids = policy.data().cipher_suites;
  return std::any_of(ids.begin(), ids.end(), [&](uint16_t id) {
    const policy::CipherSuite* s = policy::find_suite(id);
    return s != nullptr && s->openssl_name == openssl_name;
  });
}

struct Case {
  const char* client_policy;
  const char* server_policy;
  const char* cert;
  Version version;
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << "client " << c.client_policy << ", server " << c.server_policy << ", " << c.cert;
}

class DatedClientPolicy : public ::testing::TestWithParam<Case> {};

TEST_P(DatedClientPolicy, HandshakesAndCarriesData) {
  const Case c = GetParam();
  const Policy client_policy = named(c.client_policy);
  Pair p(client_config(client_policy), server_config(c.cert, named(c.server_policy)));
  auto err = p.handshake();
  ASSERT_FALSE(err) << err->name() << ": " << err->message();

  for (Connection* conn : {&p.client, &p.server}) {
    auto v = conn->actual_protocol_version();
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(*v, c.version);
  }
  auto client_suite = p.client.cipher_suite();
  auto server_suite = p.server.cipher_suite();
  ASSERT_TRUE(client_suite.ok());
  ASSERT_TRUE(server_suite.ok());
  EXPECT_EQ(*client_suite, *server_suite);
  EXPECT_TRUE(lists_suite(client_policy, *client_suite)) << *client_suite;

  const std::string ping = std::string("ping with ") + c.client_policy;
  EXPECT_EQ(transfer(p.client, p.server, ping), ping);
  std::string big(40000, 'x');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  EXPECT_EQ(transfer(p.server, p.client, big), big);
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  std::string n = std::string("client_") + info.param.client_policy + "_server_" +
                  info.param.server_policy + "_" + info.param.cert;
  for (char& ch : n)
    if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(
    Policies, DatedClientPolicy,
    ::testing::Values(
        // Both sides on the same dated policy.
        Case{"20170210", "20170210", "rsa2048", Version::TLS12},
        Case{"20190214", "20190214", "rsa2048", Version::TLS12},
        Case{"20190214", "20190214", "ecdsa-p256", Version::TLS12},
        Case{"20150306", "20150306", "rsa2048", Version::TLS12},
        Case{"20240501", "20240501", "rsa2048", Version::TLS12},
        Case{"20240501", "20240501", "ecdsa-p256", Version::TLS12},
        Case{"default", "default", "rsa2048", Version::TLS13},
        // Dated clients against a server on the default policy (TLS 1.3 capable): TLS 1.2.
        Case{"20170210", "default", "rsa2048", Version::TLS12},
        Case{"20190214", "default", "ecdsa-p256", Version::TLS12},
        Case{"20150306", "default", "rsa2048", Version::TLS12},
        Case{"20240501", "default", "rsa2048", Version::TLS12},
        // The default client against a TLS 1.2-only server falls back to TLS 1.2.
        Case{"default", "20170210", "rsa2048", Version::TLS12},
        Case{"default", "20240501", "ecdsa-p256", Version::TLS12}),
    case_name);

// Every named policy that allows TLS 1.2 and lists a suite snr implements must yield a
// ClientHello: the client's first step writes a handshake record instead of failing. (TLS 1.3-only
// policies are out: some name only post-quantum groups, which snr cannot offer.)
TEST(DatedClientPolicy, EveryPolicyWithAnImplementedSuiteSendsAClientHello) {
  size_t checked = 0;
  for (const detail::PolicyData& data : detail::all_policies()) {
    if (data.min_version > Version::TLS12 || !hs::has_offered_suite(data)) continue;
    Pipe out;
    Connection client = Connection::new_client();
    ASSERT_TRUE(client.set_config(client_config(Policy(&data))).ok()) << data.name;
    (void)client.set_server_name("localhost");
    (void)client.set_send_callback([&](const uint8_t* b, uint32_t n) { return out.write(b, n); });
    (void)client.set_receive_callback([](uint8_t*, uint32_t) {
      errno = EAGAIN;
      return -1;
    });
    auto r = client.poll_negotiate();
    EXPECT_FALSE(r.is_error()) << data.name << ": " << r.error().name() << ": "
                               << r.error().message();
    if (r.is_error()) continue;
    ASSERT_GE(out.bytes.size(), 6u) << data.name;
    EXPECT_EQ(out.bytes[0], 0x16) << data.name;  // handshake record
    EXPECT_EQ(out.bytes[5], 0x01) << data.name;  // client_hello
    ++checked;
  }
  // The registry holds well over a hundred policies; a sweep that skipped them all proves nothing.
  EXPECT_GT(checked, 100u);
}

}  // namespace
}  // namespace snr::test
