// Peer certificate validation as the client sees it: trust, host names, dates, depth, and
// the knobs that change them.
#include <gtest/gtest.h>

#include "pair.hpp"
#include "util/alerts.hpp"

namespace snr::test {
namespace {

Config client_with(const std::function<void(Config::Builder&)>& f,
                   const std::string& ca = "ca-cert.pem") {
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
  EXPECT_TRUE(b.with_system_certs(false).ok());
  if (!ca.empty()) {
    EXPECT_TRUE(b.trust_pem(read_file(data_path(ca))).ok());
  }
  f(b);
  auto c = b.build();
  EXPECT_TRUE(c.ok());
  return *c;
}

Config server_with_chain(const std::string& chain, const std::string& key) {
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
  EXPECT_TRUE(b.with_system_certs(false).ok());
  auto s = b.load_pem(read_file(data_path(chain)), read_file(data_path(key)));
  EXPECT_TRUE(s.ok()) << s.error().message();
  return *b.build();
}

// Runs a handshake; returns the client's error name ("" on success) and checks that the
// server saw the client's alert when the client failed.
std::string outcome(Pair& p, std::optional<uint8_t> expect_alert = std::nullopt) {
  auto err = p.handshake();
  if (!err) return "";
  if (expect_alert) {
    EXPECT_EQ(err->alert(), expect_alert);
    auto s = p.server.poll_negotiate();
    EXPECT_TRUE(s.is_error());
    if (s.is_error()) {
      EXPECT_EQ(s.error().kind(), ErrorKind::Alert);
      EXPECT_EQ(s.error().alert(), expect_alert);
    }
  }
  return std::string(err->name());
}

TEST(CertValidation, UntrustedIssuerIsUnknownCa) {
  Pair p(client_config(), server_config("untrusted"));
  EXPECT_EQ(outcome(p, alert::unknown_ca), "S2N_ERR_CERT_UNTRUSTED");
}

TEST(CertValidation, EmptyTrustStoreTrustsNothing) {
  Pair p(client_with([](Config::Builder&) {}, ""), server_config("ecdsa-p256"));
  EXPECT_EQ(outcome(p, alert::unknown_ca), "S2N_ERR_CERT_UNTRUSTED");
}

TEST(CertValidation, WipedTrustStoreTrustsNothing) {
  Pair p(client_with([](Config::Builder& b) { EXPECT_TRUE(b.wipe_trust_store().ok()); }),
         server_config("ecdsa-p256"));
  EXPECT_EQ(outcome(p), "S2N_ERR_CERT_UNTRUSTED");
}

TEST(CertValidation, TrustLocationLoadsACaFile) {
  Pair p(client_with(
             [](Config::Builder& b) {
               EXPECT_TRUE(b.trust_location(data_path("ca-cert.pem"), "").ok());
             },
             ""),
         server_config("rsa2048"));
  EXPECT_EQ(outcome(p), "");
}

TEST(CertValidation, WrongHostIsBadCertificate) {
  Pair p(client_config(), server_config("wronghost"));
  EXPECT_EQ(outcome(p, alert::bad_certificate), "S2N_ERR_CERT_INVALID_HOSTNAME");
}

TEST(CertValidation, ConfigVerifyHostCallbackDecides) {
  std::vector<std::string> seen;
  Pair p(client_with([&](Config::Builder& b) {
           EXPECT_TRUE(b.set_verify_host_callback([&](std::string_view n) {
                          seen.emplace_back(n);
                          return n == "wrong.example";
                        }).ok());
         }),
         server_config("wronghost"));
  EXPECT_EQ(outcome(p), "");
  EXPECT_EQ(seen, std::vector<std::string>{"wrong.example"});
}

TEST(CertValidation, ConnectionVerifyHostCallbackOverridesConfig) {
  Pair p(client_with([](Config::Builder& b) {
           EXPECT_TRUE(b.set_verify_host_callback([](std::string_view) { return true; }).ok());
         }),
         server_config("ecdsa-p256"));
  EXPECT_TRUE(p.client.set_verify_host_callback([](std::string_view) { return false; }).ok());
  EXPECT_EQ(outcome(p), "S2N_ERR_CERT_INVALID_HOSTNAME");
}

TEST(CertValidation, DisabledVerificationAcceptsAnything) {
  Pair p(
      client_with([](Config::Builder& b) { EXPECT_TRUE(b.disable_x509_verification().ok()); }, ""),
      server_config("untrusted"));
  EXPECT_EQ(outcome(p), "");
  auto chain = p.client.peer_cert_chain();
  ASSERT_TRUE(chain.ok());
  EXPECT_EQ(chain->len(), 1u);  // what was sent; nothing was validated
}

uint64_t at_year(int year) { return uint64_t(year - 1970) * 365 * 24 * 3600 * 1000000000ull; }

TEST(CertValidation, ExpiredAndNotYetValid) {
  Pair late(client_with([](Config::Builder& b) {
              EXPECT_TRUE(b.set_wall_clock([] { return at_year(2090); }).ok());
            }),
            server_config("ecdsa-p256"));
  EXPECT_EQ(outcome(late, alert::certificate_expired), "S2N_ERR_CERT_EXPIRED");
  Pair early(client_with([](Config::Builder& b) {
               EXPECT_TRUE(b.set_wall_clock([] { return at_year(2001); }).ok());
             }),
             server_config("ecdsa-p256"));
  EXPECT_EQ(outcome(early), "S2N_ERR_CERT_NOT_YET_VALID");
}

TEST(CertValidation, IntermediateChainAndDepthLimit) {
  Pair ok(client_config(), server_with_chain("int-leaf-chain.pem", "int-leaf-key.pem"));
  EXPECT_EQ(outcome(ok), "");
  auto chain = ok.client.peer_cert_chain();
  ASSERT_TRUE(chain.ok());
  EXPECT_EQ(chain->len(), 3u);

  // s2n's depth counts the whole validated path: leaf, intermediate, root = 3.
  Pair deep(
      client_with([](Config::Builder& b) { EXPECT_TRUE(b.set_max_cert_chain_depth(2).ok()); }),
      server_with_chain("int-leaf-chain.pem", "int-leaf-key.pem"));
  EXPECT_EQ(outcome(deep), "S2N_ERR_CERT_MAX_CHAIN_DEPTH_EXCEEDED");
  EXPECT_FALSE(Config::builder().set_max_cert_chain_depth(0).ok());
}

TEST(CertValidation, LeafWithoutItsIntermediateIsUntrusted) {
  Pair p(client_config(), server_with_chain("int-leaf-cert.pem", "int-leaf-key.pem"));
  EXPECT_EQ(outcome(p), "S2N_ERR_CERT_UNTRUSTED");
}

TEST(CertValidation, WildcardMatchesOneLabel) {
  {
    Pair p(client_config(), server_config("wildcard"));
    ASSERT_TRUE(p.client.set_server_name("www.example.test").ok());
    EXPECT_EQ(outcome(p), "");
  }
  {
    Pair p(client_config(), server_config("wildcard"));
    ASSERT_TRUE(p.client.set_server_name("a.b.example.test").ok());
    EXPECT_EQ(outcome(p), "S2N_ERR_CERT_INVALID_HOSTNAME");
  }
}

TEST(CertValidation, IpAddressMatchesIpSanWithoutSni) {
  Pair p(client_config(), server_config("ecdsa-p256"));
  ASSERT_TRUE(p.client.set_server_name("127.0.0.1").ok());
  EXPECT_EQ(outcome(p), "");
  EXPECT_FALSE(p.server.server_name().has_value());  // no SNI for an IP literal (RFC 6066 3)
}

TEST(CertValidation, LoadPemRejectsMismatchedKey) {
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
  auto s = b.load_pem(read_file(data_path("ecdsa-p256-cert.pem")),
                      read_file(data_path("ecdsa-p384-key.pem")));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().name(), "S2N_ERR_KEY_MISMATCH");
  EXPECT_FALSE(b.load_pem("garbage", "garbage").ok());
}

TEST(CertValidation, ServerWithoutCertificateFailsWithHandshakeFailure) {
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
  ASSERT_TRUE(b.with_system_certs(false).ok());
  Pair p(client_config(), *b.build());
  auto err = p.handshake();
  ASSERT_TRUE(err.has_value());
  auto s = p.server.poll_negotiate();
  ASSERT_TRUE(s.is_error());
  EXPECT_EQ(s.error().name(), "S2N_ERR_NO_CERTIFICATE");
  auto c = p.client.poll_negotiate();
  ASSERT_TRUE(c.is_error());
  EXPECT_EQ(c.error().kind(), ErrorKind::Alert);
  EXPECT_EQ(c.error().alert(), alert::handshake_failure);
}

}  // namespace
}  // namespace snr::test
