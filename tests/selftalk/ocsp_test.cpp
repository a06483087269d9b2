// OCSP stapling (RFC 6066 8, RFC 8446 4.4.2.1): the client asks, the server staples its
// chain's response (TLS 1.2 CertificateStatus, TLS 1.3 leaf CertificateEntry extension), and
// the client checks it. Responses come from tests/data/ocsp/make.sh.
#include "hs/ocsp.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "hs/handshake.hpp"
#include "msg/messages.hpp"
#include "msg/types.hpp"
#include "pair.hpp"
#include "policy/policy_data.hpp"
#include "util/alerts.hpp"

namespace snr::test {
namespace {

constexpr const char* kTls12 = "20170210";
constexpr const char* kTls13 = "default_tls13";

Bytes ocsp_file(const std::string& name) {
  const std::string s = read_file(data_path("ocsp/" + name));
  return Bytes(s.begin(), s.end());
}

Config server_with(const std::string& policy, const Bytes& ocsp,
                   const std::string& kind = "rsa2048") {
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
  EXPECT_TRUE(b.with_system_certs(false).ok());
  EXPECT_TRUE(b.set_security_policy(*Policy::from_version(policy)).ok());
  EXPECT_TRUE(
      b.load_pem(read_file(data_path(kind + "-cert.pem")), read_file(data_path(kind + "-key.pem")))
          .ok());
  if (!ocsp.empty()) {
    EXPECT_TRUE(b.set_ocsp_data(ocsp).ok());
  }
  return *b.build();
}

Config client_with(
    const std::string& policy, const std::function<void(Config::Builder&)>& f =
                                   [](Config::Builder& b) { EXPECT_TRUE(b.enable_ocsp().ok()); }) {
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));
  EXPECT_TRUE(b.with_system_certs(false).ok());
  EXPECT_TRUE(b.set_security_policy(*Policy::from_version(policy)).ok());
  EXPECT_TRUE(b.trust_pem(read_file(data_path("ca-cert.pem"))).ok());
  f(b);
  return *b.build();
}

Bytes as_bytes(std::span<const uint8_t> s) { return Bytes(s.begin(), s.end()); }

bool has_flag(const Connection& c, std::string_view name) {
  auto t = c.handshake_type();
  return t.ok() && t->find(name) != std::string_view::npos;
}

// Runs the handshake; "" on success, else the client's error name, checking the alert the
// client sent and that the server received it.
std::string outcome(Pair& p, std::optional<uint8_t> expect_alert = std::nullopt) {
  auto err = p.handshake();
  if (!err) return "";
  if (expect_alert) {
    EXPECT_EQ(err->alert(), expect_alert);
    auto s = p.server.poll_negotiate();
    EXPECT_TRUE(s.is_error());
    if (s.is_error()) {
      EXPECT_EQ(s.error().alert(), expect_alert);
    }
  }
  return std::string(err->name());
}

class Ocsp : public ::testing::TestWithParam<const char*> {
 protected:
  std::string policy() const { return GetParam(); }
  Version version() const {
    return std::string(GetParam()) == kTls12 ? Version::TLS12 : Version::TLS13;
  }
};

TEST_P(Ocsp, GoodResponseIsStapledAndAccepted) {
  const Bytes good = ocsp_file("rsa2048-good.der");
  Pair p(client_with(policy()), server_with(policy(), good));
  ASSERT_EQ(outcome(p), "");
  EXPECT_EQ(*p.client.actual_protocol_version(), version());
  EXPECT_EQ(as_bytes(p.client.ocsp_response()), good);
  EXPECT_TRUE(p.server.ocsp_response().empty());
  // Only TLS 1.2 has the flag (its handshake gains a message); both sides agree.
  EXPECT_EQ(has_flag(p.client, "OCSP_STATUS"), version() == Version::TLS12);
  EXPECT_EQ(has_flag(p.server, "OCSP_STATUS"), version() == Version::TLS12);
  EXPECT_EQ(transfer(p.client, p.server, "after stapling"), "after stapling");
}

TEST_P(Ocsp, DelegatedResponderIsAccepted) {
  const Bytes good = ocsp_file("rsa2048-good-delegated.der");
  Pair p(client_with(policy()), server_with(policy(), good));
  ASSERT_EQ(outcome(p), "");
  EXPECT_EQ(as_bytes(p.client.ocsp_response()), good);
}

TEST_P(Ocsp, NotRequestedIsNotSent) {
  Pair p(client_with(policy(), [](Config::Builder&) {}),
         server_with(policy(), ocsp_file("rsa2048-good.der")));
  ASSERT_EQ(outcome(p), "");
  EXPECT_TRUE(p.client.ocsp_response().empty());
  EXPECT_FALSE(has_flag(p.client, "OCSP_STATUS"));
  EXPECT_FALSE(has_flag(p.server, "OCSP_STATUS"));
}

TEST_P(Ocsp, RequestedWithoutDataCompletesWithoutResponse) {
  Pair p(client_with(policy()), server_with(policy(), {}));
  ASSERT_EQ(outcome(p), "");
  EXPECT_TRUE(p.client.ocsp_response().empty());
  EXPECT_FALSE(has_flag(p.client, "OCSP_STATUS"));
}

TEST_P(Ocsp, RevokedIsCertificateRevoked) {
  Pair p(client_with(policy()), server_with(policy(), ocsp_file("rsa2048-revoked.der")));
  EXPECT_EQ(outcome(p, alert::certificate_revoked), "S2N_ERR_CERT_REVOKED");
}

TEST_P(Ocsp, UnsatisfactoryResponsesAreBadCertificateStatusResponse) {
  Bytes garbage = {0x30, 0x03, 0x0a, 0x01, 0x00};  // OCSPResponse cut after responseStatus
  Bytes not_der(300, 0x42);
  struct Case {
    std::string what;
    Bytes response;
  };
  const std::vector<Case> cases = {
      {"signed by another CA", ocsp_file("rsa2048-wrong-issuer.der")},
      {"about another certificate", ocsp_file("ecdsa-p256-good.der")},
      {"successful without a body", garbage},
      {"not DER", not_der},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    Pair p(client_with(policy()), server_with(policy(), c.response));
    EXPECT_EQ(outcome(p, alert::bad_certificate_status_response), "S2N_ERR_INVALID_OCSP_RESPONSE");
  }
}

TEST_P(Ocsp, ResponseNotYetValidAtTheClientsClockIsRefused) {
  // The fixtures' thisUpdate is when make.sh ran; 2024 is before that and inside the
  // certificates' validity.
  const uint64_t jan_2024 = 1704067200ull * 1'000'000'000ull;
  Pair p(client_with(policy(),
                     [&](Config::Builder& b) {
                       EXPECT_TRUE(b.enable_ocsp().ok());
                       EXPECT_TRUE(b.set_wall_clock([=] { return jan_2024; }).ok());
                     }),
         server_with(policy(), ocsp_file("rsa2048-good.der")));
  EXPECT_EQ(outcome(p, alert::bad_certificate_status_response), "S2N_ERR_INVALID_OCSP_RESPONSE");
}

TEST_P(Ocsp, CheckOffAcceptsAnyResponseAndStillReportsIt) {
  for (const char* name : {"rsa2048-revoked.der", "rsa2048-wrong-issuer.der"}) {
    SCOPED_TRACE(name);
    const Bytes response = ocsp_file(name);
    Pair p(client_with(policy(),
                       [](Config::Builder& b) {
                         EXPECT_TRUE(b.enable_ocsp().ok());
                         EXPECT_TRUE(b.set_check_stapled_ocsp_response(false).ok());
                       }),
           server_with(policy(), response));
    ASSERT_EQ(outcome(p), "");
    EXPECT_EQ(as_bytes(p.client.ocsp_response()), response);
  }
}

TEST_P(Ocsp, NoX509VerificationMeansNoOcspCheck) {
  const Bytes revoked = ocsp_file("rsa2048-revoked.der");
  Pair p(client_with(policy(),
                     [](Config::Builder& b) {
                       EXPECT_TRUE(b.enable_ocsp().ok());
                       EXPECT_TRUE(b.disable_x509_verification().ok());
                     }),
         server_with(policy(), revoked));
  ASSERT_EQ(outcome(p), "");
  EXPECT_EQ(as_bytes(p.client.ocsp_response()), revoked);
}

INSTANTIATE_TEST_SUITE_P(Versions, Ocsp, ::testing::Values(kTls12, kTls13));

// RSA key exchange: no ServerKeyExchange, so CertificateStatus comes right before
// ServerHelloDone (and a CertificateRequest, with client auth).
TEST(OcspRsaKeyExchange, StapledBeforeServerHelloDone) {
  const uint16_t suites[] = {0x009C};  // TLS_RSA_WITH_AES_128_GCM_SHA256
  const uint16_t schemes[] = {0x0804, 0x0401, 0x0503, 0x0403};
  const uint16_t groups[] = {0x001d};
  detail::PolicyData data{"ocsp_rsa_kx", Version::TLS10, suites, schemes, groups, {}};
  const Policy policy(&data);
  const Bytes good = ocsp_file("rsa2048-good.der");
  for (bool client_auth : {false, true}) {
    SCOPED_TRACE(client_auth ? "with client auth" : "without client auth");
    auto s = Config::builder();
    (void)s.set_max_blinding_delay(std::chrono::seconds(0));
    (void)s.with_system_certs(false);
    ASSERT_TRUE(s.set_security_policy(policy).ok());
    ASSERT_TRUE(s.load_pem(read_file(data_path("rsa2048-cert.pem")),
                           read_file(data_path("rsa2048-key.pem")))
                    .ok());
    ASSERT_TRUE(s.set_ocsp_data(good).ok());
    if (client_auth) {
      ASSERT_TRUE(s.set_client_auth_type(ClientAuthType::Optional).ok());
    }
    auto c = Config::builder();
    (void)c.set_max_blinding_delay(std::chrono::seconds(0));
    (void)c.with_system_certs(false);
    ASSERT_TRUE(c.set_security_policy(policy).ok());
    ASSERT_TRUE(c.trust_pem(read_file(data_path("ca-cert.pem"))).ok());
    ASSERT_TRUE(c.enable_ocsp().ok());
    Pair p(*c.build(), *s.build());
    ASSERT_EQ(outcome(p), "");
    EXPECT_EQ(*p.client.cipher_suite(), "AES128-GCM-SHA256");
    EXPECT_EQ(as_bytes(p.client.ocsp_response()), good);
    EXPECT_TRUE(has_flag(p.client, "OCSP_STATUS"));
  }
}

// TLS 1.3 client certificates (RFC 8446 4.4.2.1): a server with enable_ocsp asks in its
// CertificateRequest, the client staples its chain's response, the server checks it.
std::optional<Error> client_cert_handshake(const Bytes& client_ocsp, bool server_asks,
                                           Bytes& server_saw) {
  auto s = Config::builder();
  (void)s.set_max_blinding_delay(std::chrono::seconds(0));
  (void)s.with_system_certs(false);
  EXPECT_TRUE(s.set_security_policy(*Policy::from_version(kTls13)).ok());
  EXPECT_TRUE(s.load_pem(read_file(data_path("ecdsa-p256-cert.pem")),
                         read_file(data_path("ecdsa-p256-key.pem")))
                  .ok());
  EXPECT_TRUE(s.trust_pem(read_file(data_path("ca-cert.pem"))).ok());
  EXPECT_TRUE(s.set_client_auth_type(ClientAuthType::Required).ok());
  if (server_asks) {
    EXPECT_TRUE(s.enable_ocsp().ok());
  }
  auto c = Config::builder();
  (void)c.set_max_blinding_delay(std::chrono::seconds(0));
  (void)c.with_system_certs(false);
  EXPECT_TRUE(c.set_security_policy(*Policy::from_version(kTls13)).ok());
  EXPECT_TRUE(c.trust_pem(read_file(data_path("ca-cert.pem"))).ok());
  EXPECT_TRUE(
      c.load_pem(read_file(data_path("rsa2048-cert.pem")), read_file(data_path("rsa2048-key.pem")))
          .ok());
  EXPECT_TRUE(c.set_ocsp_data(client_ocsp).ok());
  Pair p(*c.build(), *s.build());
  std::optional<Error> err = p.handshake();
  // TLS 1.3: the client finishes first; the server's verdict comes on its side.
  if (!err) {
    EXPECT_TRUE(p.server.client_cert_used());
    server_saw = as_bytes(p.server.ocsp_response());
    return std::nullopt;
  }
  return err;
}

TEST(OcspClientCert13, ServerAsksAndChecksTheClientsStaple) {
  const Bytes good = ocsp_file("rsa2048-good.der");
  Bytes seen;
  auto err = client_cert_handshake(good, true, seen);
  ASSERT_FALSE(err.has_value()) << err->message();
  EXPECT_EQ(seen, good);

  // Not asked: not sent.
  seen.clear();
  err = client_cert_handshake(good, false, seen);
  ASSERT_FALSE(err.has_value()) << err->message();
  EXPECT_TRUE(seen.empty());

  err = client_cert_handshake(ocsp_file("rsa2048-revoked.der"), true, seen);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->name(), "S2N_ERR_CERT_REVOKED");
}

TEST(OcspConfig, SetOcspDataNeedsTheLoadPemChain) {
  auto b = Config::builder();
  const Bytes good = ocsp_file("rsa2048-good.der");
  auto s = b.set_ocsp_data(good);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().name(), "S2N_ERR_UPDATING_EXTENSION");
  ASSERT_TRUE(
      b.load_pem(read_file(data_path("rsa2048-cert.pem")), read_file(data_path("rsa2048-key.pem")))
          .ok());
  EXPECT_TRUE(b.set_ocsp_data(good).ok());
  // Empty data clears it: a requesting client then gets nothing.
  EXPECT_TRUE(b.set_ocsp_data({}).ok());
  (void)b.with_system_certs(false);
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));
  Pair p(client_with(kTls13), *b.build());
  ASSERT_EQ(outcome(p), "");
  EXPECT_TRUE(p.client.ocsp_response().empty());
}

// ---- TLS 1.2 wire tampering: the server's first flight is plaintext ----

struct Message {
  uint8_t type;
  Bytes body;
};

// The handshake messages of a stream of plaintext handshake records.
std::vector<Message> messages_of(const Bytes& stream) {
  Bytes hs;
  for (size_t i = 0; i + 5 <= stream.size();) {
    const size_t len = (size_t{stream[i + 3]} << 8) | stream[i + 4];
    EXPECT_EQ(stream[i], 22);
    hs.insert(hs.end(), stream.begin() + static_cast<std::ptrdiff_t>(i + 5),
              stream.begin() + static_cast<std::ptrdiff_t>(i + 5 + len));
    i += 5 + len;
  }
  std::vector<Message> out;
  for (size_t i = 0; i + 4 <= hs.size();) {
    const size_t len = (size_t{hs[i + 1]} << 16) | (size_t{hs[i + 2]} << 8) | hs[i + 3];
    out.push_back({hs[i], Bytes(hs.begin() + static_cast<std::ptrdiff_t>(i + 4),
                                hs.begin() + static_cast<std::ptrdiff_t>(i + 4 + len))});
    i += 4 + len;
  }
  return out;
}

Bytes records_of(const std::vector<Message>& msgs) {
  Bytes hs;
  for (const Message& m : msgs) {
    hs.push_back(m.type);
    hs.push_back(static_cast<uint8_t>(m.body.size() >> 16));
    hs.push_back(static_cast<uint8_t>(m.body.size() >> 8));
    hs.push_back(static_cast<uint8_t>(m.body.size()));
    hs.insert(hs.end(), m.body.begin(), m.body.end());
  }
  Bytes out;
  for (size_t i = 0; i < hs.size(); i += 16384) {
    const size_t n = std::min<size_t>(16384, hs.size() - i);
    out.insert(out.end(), {22, 3, 3, static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)});
    out.insert(out.end(), hs.begin() + static_cast<std::ptrdiff_t>(i),
               hs.begin() + static_cast<std::ptrdiff_t>(i + n));
  }
  return out;
}

constexpr uint8_t kCertificate = 11, kCertificateStatus = 22;

// Runs a TLS 1.2 client (asking for OCSP when `request`) against a stapling server up to the
// server's first flight, lets `edit` change its messages, and returns the client's error.
std::optional<Error> client_reads_edited_flight(
    bool request, const std::function<void(std::vector<Message>&)>& edit) {
  Pair p(client_with(kTls12,
                     [&](Config::Builder& b) {
                       if (request) {
                         EXPECT_TRUE(b.enable_ocsp().ok());
                       }
                     }),
         server_with(kTls12, ocsp_file("rsa2048-good.der")));
  EXPECT_TRUE(p.client.poll_negotiate().is_pending());
  EXPECT_TRUE(p.server.poll_negotiate().is_pending());
  Bytes flight(p.s2c.bytes.begin(), p.s2c.bytes.end());
  std::vector<Message> msgs = messages_of(flight);
  edit(msgs);
  Bytes edited = records_of(msgs);
  p.s2c.bytes.assign(edited.begin(), edited.end());
  for (int i = 0; i < 10; ++i) {
    auto r = p.client.poll_negotiate();
    if (r.is_error()) return r.error();
  }
  return std::nullopt;
}

std::vector<Message>::iterator find_type(std::vector<Message>& msgs, uint8_t type) {
  return std::find_if(msgs.begin(), msgs.end(), [&](const Message& m) { return m.type == type; });
}

TEST(Ocsp12Wire, FlightCarriesCertificateStatusRightAfterCertificate) {
  std::vector<Message> seen;
  auto err = client_reads_edited_flight(true, [&](std::vector<Message>& m) { seen = m; });
  ASSERT_GE(seen.size(), 3u);
  auto cert = find_type(seen, kCertificate);
  ASSERT_NE(cert, seen.end());
  ASSERT_NE(cert + 1, seen.end());
  EXPECT_EQ((cert + 1)->type, kCertificateStatus);
  const Bytes good = ocsp_file("rsa2048-good.der");
  // status_type ocsp, u24 length, the response.
  Bytes expect = {1, static_cast<uint8_t>(good.size() >> 16),
                  static_cast<uint8_t>(good.size() >> 8), static_cast<uint8_t>(good.size())};
  expect.insert(expect.end(), good.begin(), good.end());
  EXPECT_EQ((cert + 1)->body, expect);
  // Untouched, the client reads it all and answers (waits for the server's Finished).
  EXPECT_FALSE(err.has_value()) << err->message();
}

TEST(Ocsp12Wire, MalformedCertificateStatusIsDecodeError) {
  const std::vector<std::pair<std::string, std::function<void(Bytes&)>>> cases = {
      {"truncated response", [](Bytes& b) { b.resize(b.size() - 10); }},
      {"longer than its length", [](Bytes& b) { b.push_back(0); }},
      {"status_type ocsp_multi", [](Bytes& b) { b[0] = 2; }},
      {"empty response",
       [](Bytes& b) {
         b = {1, 0, 0, 0};
       }},
      {"empty message", [](Bytes& b) { b.clear(); }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.first);
    const auto& change = c.second;
    auto err = client_reads_edited_flight(true, [&](std::vector<Message>& m) {
      auto it = find_type(m, kCertificateStatus);
      ASSERT_NE(it, m.end());
      change(it->body);
    });
    ASSERT_TRUE(err.has_value());
    EXPECT_EQ(err->name(), "S2N_ERR_DECODE");
    EXPECT_EQ(err->alert(), alert::decode_error);
  }
}

TEST(Ocsp12Wire, ServerMayLeaveCertificateStatusOut) {
  auto err = client_reads_edited_flight(true, [](std::vector<Message>& m) {
    auto it = find_type(m, kCertificateStatus);
    ASSERT_NE(it, m.end());
    m.erase(it);
  });
  // The client goes on (the edited transcript would only fail at the server's Finished).
  EXPECT_FALSE(err.has_value()) << err->message();
}

TEST(Ocsp12Wire, UnsolicitedCertificateStatusIsUnexpectedMessage) {
  const Bytes good = ocsp_file("rsa2048-good.der");
  auto err = client_reads_edited_flight(false, [&](std::vector<Message>& m) {
    auto it = find_type(m, kCertificate);
    ASSERT_NE(it, m.end());
    Bytes body = {1, 0, static_cast<uint8_t>(good.size() >> 8), static_cast<uint8_t>(good.size())};
    body.insert(body.end(), good.begin(), good.end());
    m.insert(it + 1, Message{kCertificateStatus, body});
  });
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->alert(), alert::unexpected_message);
}

// ---- the extension and entry checks themselves ----

struct Bare {
  detail::ConfigData config;
  hs::Negotiated neg;
  hs::Handshake hs;
  Bare() {
    hs.settings.config = &config;
    hs.out = &neg;
  }
};

msg::Extensions with_status_request(Bytes data) {
  msg::Extensions e;
  e.add(msg::ext::status_request);
  e.unknown.push_back({msg::ext::status_request, std::move(data)});
  return e;
}

TEST(OcspExtension, ServerReadsTheClientsRequest) {
  Bare b;
  detail::CertifiedKey key{};
  key.key_type = crypto::KeyType::RSA;
  key.ocsp_response = {1, 2, 3};
  b.hs.cert = &key;
  // ocsp, one responder id "ab", request extensions "cd".
  ASSERT_TRUE(
      hs::decide_stapling(b.hs, with_status_request({1, 0, 4, 0, 2, 0xab, 0xcd, 0, 0})).ok());
  EXPECT_TRUE(b.hs.ocsp_stapling);
  // Another status type is not understood: nothing stapled, no error.
  ASSERT_TRUE(hs::decide_stapling(b.hs, with_status_request({2, 0, 0, 0, 0})).ok());
  EXPECT_FALSE(b.hs.ocsp_stapling);
  // Nothing to staple.
  key.ocsp_response.clear();
  ASSERT_TRUE(hs::decide_stapling(b.hs, with_status_request({1, 0, 0, 0, 0})).ok());
  EXPECT_FALSE(b.hs.ocsp_stapling);
  for (const Bytes& bad : {Bytes{}, Bytes{1}, Bytes{1, 0, 0, 0}, Bytes{1, 0, 0, 0, 0, 0},
                           Bytes{1, 0, 2, 0, 0, 0, 0}}) {
    auto s = hs::decide_stapling(b.hs, with_status_request(bad));
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().name(), "S2N_ERR_DECODE");
  }
}

TEST(OcspExtension, Tls12ServerHelloAcknowledgementMustBeEmpty) {
  Bare b;
  ASSERT_TRUE(hs::accept_status_request12(b.hs, with_status_request({}), false).ok());
  EXPECT_TRUE(b.hs.ocsp_stapling);
  Bare c;
  auto s = hs::accept_status_request12(c.hs, with_status_request({0}), false);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().name(), "S2N_ERR_DECODE");
}

TEST(OcspExtension, Tls13EntryStatusMustBeSolicitedAndWellFormed) {
  msg::Certificate cert;
  cert.entries.push_back({Bytes{0x30}, with_status_request({1, 0, 0, 2, 0xaa, 0xbb})});
  {
    Bare b;  // no status_request offered
    auto s = hs::accept_certificate_status13(b.hs, cert);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().name(), "S2N_ERR_UNSUPPORTED_EXTENSION");
  }
  {
    Bare b;
    b.hs.offered_ext = {msg::ext::status_request};
    b.config.check_ocsp = false;
    ASSERT_TRUE(hs::accept_certificate_status13(b.hs, cert).ok());
    EXPECT_EQ(b.neg.ocsp_response, (Bytes{0xaa, 0xbb}));
  }
  for (const Bytes& bad : {Bytes{1, 0, 0, 3, 0xaa}, Bytes{2, 0, 0, 1, 0xaa}, Bytes{1, 0, 0, 0}}) {
    Bare b;
    b.hs.offered_ext = {msg::ext::status_request};
    msg::Certificate c;
    c.entries.push_back({Bytes{0x30}, with_status_request(bad)});
    auto s = hs::accept_certificate_status13(b.hs, c);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().name(), "S2N_ERR_DECODE");
  }
}

TEST(OcspExtension, StatusRequestIsIllegalInEncryptedExtensions) {
  Bytes block = {0, 4, 0, 5, 0, 0};  // status_request, empty
  msg::Extensions e;
  auto s = msg::parse_extensions(block, msg::Where::EncryptedExtensions, e);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().name(), "S2N_ERR_ILLEGAL_PARAMETER");
  EXPECT_TRUE(msg::parse_extensions(block, msg::Where::CertificateRequest, e).ok());
}

}  // namespace
}  // namespace snr::test
