// Client and server in one process over in-memory pipes: every TLS 1.3 suite x group x
// certificate type, with and without a forced HelloRetryRequest, and with 1-byte I/O.
#include <gtest/gtest.h>

#include <tuple>
#include <vector>

#include "pair.hpp"

namespace snr::test {
namespace {

const char* kSuites[] = {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                         "TLS_CHACHA20_POLY1305_SHA256"};
const uint16_t kSuiteIds[] = {0x1301, 0x1302, 0x1303};
const char* kGroups[] = {"x25519", "secp256r1", "secp384r1", "secp521r1"};
const uint16_t kGroupIds[] = {0x001d, 0x0017, 0x0018, 0x0019};
const char* kCerts[] = {"ecdsa-p256", "ecdsa-p384", "rsa2048", "rsapss", "ed25519"};
const char* kSchemeFor[] = {"ecdsa_sha256", "ecdsa_sha384", "rsa_pss_rsae_sha256",
                            "rsa_pss_pss_sha256", "ed25519"};

const uint16_t kAllSchemes[] = {0x0403, 0x0503, 0x0603, 0x0809, 0x080a, 0x080b, 0x0804,
                                0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0807};

// A policy owning its lists (tests build policies the registry does not name).
struct TestPolicy {
  std::vector<uint16_t> suites, groups;
  detail::PolicyData data;
  TestPolicy(std::vector<uint16_t> s, std::vector<uint16_t> g)
      : suites(std::move(s)), groups(std::move(g)) {
    data = detail::PolicyData{"test", Version::TLS13, suites, kAllSchemes, groups, {}};
  }
  Policy policy() const { return Policy(&data); }
};

using Param = std::tuple<int, int, int, bool, size_t>;  // suite, group, cert, hrr, max_io

class SelfTalk : public ::testing::TestWithParam<Param> {};

TEST_P(SelfTalk, HandshakeDataAndClose) {
  auto [si, gi, ci, hrr, max_io] = GetParam();
  // HRR: the client's first share is for a group the server does not accept.
  uint16_t first = kGroupIds[gi] == 0x001d ? 0x0017 : 0x001d;
  TestPolicy server_policy({kSuiteIds[si]}, {kGroupIds[gi]});
  TestPolicy client_policy({kSuiteIds[si]}, hrr ? std::vector<uint16_t>{first, kGroupIds[gi]}
                                                : std::vector<uint16_t>{kGroupIds[gi]});
  Pair p(client_config(client_policy.policy()), server_config(kCerts[ci], server_policy.policy()),
         max_io);
  auto err = p.handshake();
  ASSERT_FALSE(err) << err->name() << ": " << err->message();

  for (Connection* c : {&p.client, &p.server}) {
    EXPECT_EQ(*c->actual_protocol_version(), Version::TLS13);
    EXPECT_EQ(*c->cipher_suite(), kSuites[si]);
    EXPECT_EQ(*c->selected_curve(), kGroups[gi]);
    EXPECT_EQ(*c->handshake_type(),
              hrr ? "NEGOTIATED|FULL_HANDSHAKE|HELLO_RETRY_REQUEST|MIDDLEBOX_COMPAT"
                  : "NEGOTIATED|FULL_HANDSHAKE|MIDDLEBOX_COMPAT");
    ASSERT_TRUE(c->signature_scheme().has_value());
    EXPECT_EQ(*c->signature_scheme(), kSchemeFor[ci]);
  }
  auto chain = p.client.peer_cert_chain();
  ASSERT_TRUE(chain.ok());
  EXPECT_EQ(chain->len(), 2u);  // leaf + the trust anchor
  EXPECT_EQ(*p.server.server_name(), "localhost");

  std::string hello = "hello from the client";
  EXPECT_EQ(transfer(p.client, p.server, hello), hello);
  std::string big(100000, 'x');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  EXPECT_EQ(transfer(p.server, p.client, big), big);

  // close_notify both ways.
  auto cs = p.client.poll_shutdown_send();
  EXPECT_TRUE(cs.is_ready());
  uint8_t buf[16];
  auto r = p.server.poll_recv(buf);
  ASSERT_TRUE(r.is_ready());
  EXPECT_EQ(r.value(), 0u);
  for (int i = 0; i < 100; ++i) {
    auto s = p.server.poll_shutdown();
    if (s.is_ready()) break;
    ASSERT_FALSE(s.is_error()) << s.error().message();
  }
  auto c = p.client.poll_shutdown();
  EXPECT_TRUE(c.is_ready()) << (c.is_error() ? c.error().message() : "pending");
}

std::string name(const ::testing::TestParamInfo<Param>& info) {
  auto [si, gi, ci, hrr, max_io] = info.param;
  std::string n = std::string(kSuites[si]).substr(4) + "_" + kGroups[gi] + "_" + kCerts[ci];
  if (hrr) n += "_HRR";
  if (max_io == 1) n += "_1byte";
  for (char& ch : n)
    if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(Matrix, SelfTalk,
                         ::testing::Combine(::testing::Range(0, 3), ::testing::Range(0, 4),
                                            ::testing::Range(0, 5), ::testing::Bool(),
                                            ::testing::Values(size_t{SIZE_MAX})),
                         name);
INSTANTIATE_TEST_SUITE_P(OneByte, SelfTalk,
                         ::testing::Combine(::testing::Range(0, 3), ::testing::Values(0, 2),
                                            ::testing::Values(0, 2), ::testing::Bool(),
                                            ::testing::Values(size_t{1})),
                         name);

TEST(SelfTalkDefault, DefaultPoliciesNegotiateAes128AndP256) {
  Pair p(client_config(), server_config("ecdsa-p256"));
  auto err = p.handshake();
  ASSERT_FALSE(err) << err->name() << ": " << err->message();
  EXPECT_EQ(*p.client.cipher_suite(), "TLS_AES_128_GCM_SHA256");
  EXPECT_EQ(*p.client.selected_curve(), "secp256r1");
  EXPECT_EQ(*p.client.selected_signature_algorithm(), SignatureAlgorithm::ECDSA);
  EXPECT_EQ(*p.client.selected_hash_algorithm(), HashAlgorithm::SHA256);
}

}  // namespace
}  // namespace snr::test
