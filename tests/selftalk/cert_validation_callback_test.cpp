// The sync certificate validation callback (Config::Builder::set_cert_validation_callback_sync):
// called after the chain validated, on a client for the server's chain and on a server for a
// client certificate; false fails the handshake with CERT_REJECTED and a bad_certificate alert.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pair.hpp"
#include "util/alerts.hpp"
#include "util/error_code.hpp"

namespace snr::test {
namespace {

const uint16_t kSchemes[] = {0x0403, 0x0503, 0x0804, 0x0805, 0x0401, 0x0501};
const uint16_t kGroups[] = {0x001d, 0x0017};

struct TestPolicy {
  std::vector<uint16_t> suites;
  detail::PolicyData data;
  explicit TestPolicy(std::vector<uint16_t> s) : suites(std::move(s)) {
    data = detail::PolicyData{"cv-test", Version::TLS12, suites, kSchemes, kGroups, {}};
  }
  Policy policy() const { return Policy(&data); }
};

struct Calls {
  int count = 0;
  std::vector<std::vector<uint8_t>> chain;  // DER, as the last call saw it
  std::vector<std::string> subjects;
};

CertValidationCallback recorder(std::shared_ptr<Calls> calls, bool verdict) {
  return [calls, verdict](Connection&, CertValidationInfo& info) {
    ++calls->count;
    calls->chain.clear();
    calls->subjects.clear();
    for (const Certificate& c : info.chain) {
      calls->chain.emplace_back(c.der().begin(), c.der().end());
      calls->subjects.push_back(c.subject());
    }
    return verdict;
  };
}

Config make_config(bool server, const Policy& policy, CertValidationCallback cb, bool verify = true,
                   std::optional<ClientAuthType> auth = std::nullopt,
                   const std::string& kind = "ecdsa-p256") {
  auto b = Config::builder();
  EXPECT_TRUE(b.set_max_blinding_delay(std::chrono::seconds(0)).ok());
  EXPECT_TRUE(b.with_system_certs(false).ok());
  EXPECT_TRUE(b.set_security_policy(policy).ok());
  EXPECT_TRUE(b.trust_pem(read_file(data_path("ca-cert.pem"))).ok());
  if (server || auth) {
    EXPECT_TRUE(b.load_pem(read_file(data_path(kind + "-cert.pem")),
                           read_file(data_path(kind + "-key.pem")))
                    .ok());
  }
  if (auth) {
    EXPECT_TRUE(b.set_client_auth_type(*auth).ok());
  }
  if (!verify) {
    EXPECT_TRUE(b.disable_x509_verification().ok());
  }
  if (cb) {
    EXPECT_TRUE(b.set_cert_validation_callback_sync(std::move(cb)).ok());
  }
  auto c = b.build();
  EXPECT_TRUE(c.ok());
  return *c;
}

struct Outcome {
  std::optional<Error> client, server;
  bool done = false;
};

// Drives both sides until both finish or both stopped (after a failure the other side
// keeps polling, and reading, until the alert arrives).
Outcome drive(Pair& p) {
  Outcome o;
  bool c_done = false, s_done = false;
  for (int i = 0; i < 100000 && !(c_done && s_done); ++i) {
    if (!c_done && !o.client) {
      auto r = p.client.poll_negotiate();
      if (r.is_error()) o.client = r.error();
      c_done = r.is_ready();
    }
    if (!s_done && !o.server) {
      auto r = p.server.poll_negotiate();
      if (r.is_error()) o.server = r.error();
      s_done = r.is_ready();
    }
    if ((o.client || c_done) && (o.server || s_done) && (o.client || o.server)) break;
  }
  // TLS 1.3 client auth: the client is done before the server judges its certificate; the
  // alert reaches it on its next read.
  if (c_done && o.server && !o.client) {
    uint8_t buf[16];
    for (int i = 0; i < 1000; ++i) {
      auto r = p.client.poll_recv(buf);
      if (r.is_error()) {
        o.client = r.error();
        break;
      }
    }
  }
  o.done = c_done && s_done;
  return o;
}

class CertValidationCallbackTest : public ::testing::TestWithParam<uint16_t> {};

TEST_P(CertValidationCallbackTest, ClientAcceptsAndSeesTheValidatedChain) {
  TestPolicy pol({GetParam()});
  auto calls = std::make_shared<Calls>();
  Pair p(make_config(false, pol.policy(), recorder(calls, true)),
         make_config(true, pol.policy(), nullptr));
  Outcome o = drive(p);
  ASSERT_FALSE(o.client) << o.client->name();
  ASSERT_FALSE(o.server) << o.server->name();
  EXPECT_TRUE(o.done);
  EXPECT_EQ(calls->count, 1);
  // The validated path: the leaf as sent, then the trust anchor.
  ASSERT_EQ(calls->chain.size(), 2u);
  const std::string leaf = read_file(data_path("ecdsa-p256-cert.pem"));
  auto leaf_cert = p.client.peer_cert_chain();
  ASSERT_TRUE(leaf_cert.ok());
  EXPECT_EQ(calls->chain[0],
            std::vector<uint8_t>((*leaf_cert)[0].der().begin(), (*leaf_cert)[0].der().end()));
  EXPECT_NE(calls->subjects[1], calls->subjects[0]);
}

TEST_P(CertValidationCallbackTest, ClientRejectsTheServer) {
  TestPolicy pol({GetParam()});
  auto calls = std::make_shared<Calls>();
  Pair p(make_config(false, pol.policy(), recorder(calls, false)),
         make_config(true, pol.policy(), nullptr));
  Outcome o = drive(p);
  ASSERT_TRUE(o.client);
  EXPECT_EQ(err_of(*o.client), Err::CERT_REJECTED);
  ASSERT_TRUE(o.server);
  EXPECT_EQ(o.server->alert(), alert::bad_certificate);
  EXPECT_EQ(calls->count, 1);
}

TEST_P(CertValidationCallbackTest, ServerRejectsTheClientCertificate) {
  TestPolicy pol({GetParam()});
  auto calls = std::make_shared<Calls>();
  Pair p(make_config(false, pol.policy(), nullptr, true, ClientAuthType::Optional, "rsa2048"),
         make_config(true, pol.policy(), recorder(calls, false), true, ClientAuthType::Required));
  Outcome o = drive(p);
  ASSERT_TRUE(o.server);
  EXPECT_EQ(err_of(*o.server), Err::CERT_REJECTED);
  ASSERT_TRUE(o.client);
  EXPECT_EQ(o.client->alert(), alert::bad_certificate);
  EXPECT_EQ(calls->count, 1);
  ASSERT_EQ(calls->chain.size(), 2u);
}

TEST_P(CertValidationCallbackTest, ServerAcceptsTheClientCertificate) {
  TestPolicy pol({GetParam()});
  auto calls = std::make_shared<Calls>();
  Pair p(make_config(false, pol.policy(), nullptr, true, ClientAuthType::Optional, "rsa2048"),
         make_config(true, pol.policy(), recorder(calls, true), true, ClientAuthType::Required));
  Outcome o = drive(p);
  ASSERT_FALSE(o.client) << o.client->name();
  ASSERT_FALSE(o.server) << o.server->name();
  EXPECT_EQ(calls->count, 1);
  EXPECT_EQ(transfer(p.client, p.server, "accepted"), "accepted");
}

TEST_P(CertValidationCallbackTest, NotCalledWithoutVerification) {
  TestPolicy pol({GetParam()});
  auto calls = std::make_shared<Calls>();
  Pair p(make_config(false, pol.policy(), recorder(calls, false), false),
         make_config(true, pol.policy(), nullptr));
  Outcome o = drive(p);
  ASSERT_FALSE(o.client) << o.client->name();
  ASSERT_FALSE(o.server) << o.server->name();
  EXPECT_EQ(calls->count, 0);
}

TEST_P(CertValidationCallbackTest, NotCalledForAnUntrustedChain) {
  // libcrypto refuses it first: the callback only ever sees validated chains.
  TestPolicy pol({GetParam()});
  auto calls = std::make_shared<Calls>();
  Pair p(make_config(false, pol.policy(), recorder(calls, true)),
         make_config(true, pol.policy(), nullptr, true, std::nullopt, "untrusted"));
  Outcome o = drive(p);
  ASSERT_TRUE(o.client);
  EXPECT_EQ(err_of(*o.client), Err::CERT_UNTRUSTED);
  EXPECT_EQ(calls->count, 0);
}

INSTANTIATE_TEST_SUITE_P(Versions, CertValidationCallbackTest,
                         ::testing::Values(uint16_t{0x1301}, uint16_t{0xC02B}),
                         [](const ::testing::TestParamInfo<uint16_t>& info) {
                           return info.param == 0x1301 ? std::string("Tls13")
                                                       : std::string("Tls12");
                         });

}  // namespace
}  // namespace snr::test
