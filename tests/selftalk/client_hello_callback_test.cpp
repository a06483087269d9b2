// The server's client hello callback: sync, pending (client_hello_callback_done), the future
// form, failing it, swapping the config by server name, and server_name_extension_used (the
// empty server_name acknowledgement of RFC 6066 3).
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hello_bytes.hpp"
#include "pair.hpp"
#include "util/alerts.hpp"
#include "util/error_code.hpp"

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

// TLS 1.2 only (ECDHE with either key type).
const TestPolicy& tls12() {
  static const TestPolicy p({0xc02b, 0xc02f}, {0x001d, 0x0017});
  return p;
}

Config server_with(const std::string& kind, const Policy& policy, ClientHelloCallback cb,
                   std::initializer_list<std::string_view> alpn = {}) {
  auto b = Config::builder();
  EXPECT_TRUE(b.set_max_blinding_delay(std::chrono::seconds(0)).ok());
  EXPECT_TRUE(b.with_system_certs(false).ok());
  EXPECT_TRUE(b.set_security_policy(policy).ok());
  EXPECT_TRUE(
      b.load_pem(read_file(data_path(kind + "-cert.pem")), read_file(data_path(kind + "-key.pem")))
          .ok());
  if (cb) {
    EXPECT_TRUE(b.set_client_hello_callback(std::move(cb)).ok());
  }
  if (alpn.size() != 0) {
    EXPECT_TRUE(b.set_application_protocol_preference(alpn).ok());
  }
  auto c = b.build();
  EXPECT_TRUE(c.ok());
  return *c;
}

Config client_with(const Policy& policy, std::initializer_list<std::string_view> alpn = {}) {
  auto b = Config::builder();
  EXPECT_TRUE(b.set_max_blinding_delay(std::chrono::seconds(0)).ok());
  EXPECT_TRUE(b.with_system_certs(false).ok());
  EXPECT_TRUE(b.set_security_policy(policy).ok());
  EXPECT_TRUE(b.trust_pem(read_file(data_path("ca-cert.pem"))).ok());
  if (alpn.size() != 0) {
    EXPECT_TRUE(b.set_application_protocol_preference(alpn).ok());
  }
  auto c = b.build();
  EXPECT_TRUE(c.ok());
  return *c;
}

// Lets the pair finish from where it is; fails the test on any error.
void finish(Connection& client, Connection& server) {
  HandshakeOutcome o = drive_pair(client, server);
  ASSERT_FALSE(o.client) << o.client->name() << ": " << o.client->message();
  ASSERT_FALSE(o.server) << o.server->name() << ": " << o.server->message();
  ASSERT_TRUE(o.done);
}
void finish(Pair& p) { finish(p.client, p.server); }

// Runs the client until it waits for the server, then the server once: the ClientHello has
// reached the server's callback.
Poll<void> deliver_client_hello(Pair& p) {
  auto c = p.client.poll_negotiate();
  EXPECT_TRUE(c.is_pending());
  Poll<void> s = p.server.poll_negotiate();
  // Byte-at-a-time I/O needs more polls for the whole hello.
  for (int i = 0; i < 100000 && s.is_pending() && s.blocked() == Blocked::OnRead; ++i)
    s = p.server.poll_negotiate();
  return s;
}

TEST(ClientHelloCallback, SyncDoneSeesTheHelloAndTheName) {
  int calls = 0;
  std::string seen_name, seen_sni;
  Config server = server_with("ecdsa-p256", Policy::DEFAULT, [&](Connection& conn) {
    ++calls;
    EXPECT_NE(conn.client_hello(), nullptr);
    if (conn.client_hello()) seen_sni = std::string(conn.client_hello()->server_name());
    if (auto n = conn.server_name()) seen_name = std::string(*n);
    return ClientHelloResult::done();
  });
  Pair p(client_with(Policy::DEFAULT), server);
  finish(p);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(seen_sni, "localhost");
  EXPECT_EQ(seen_name, "localhost");
  EXPECT_EQ(transfer(p.client, p.server, "after the callback"), "after the callback");
}

TEST(ClientHelloCallback, FailSendsHandshakeFailure) {
  for (const Policy& pol : {Policy::DEFAULT, tls12().policy()}) {
    Config server = server_with(
        "ecdsa-p256", pol, [](Connection&) { return ClientHelloResult::fail("no such tenant"); });
    Pair p(client_with(pol), server);
    HandshakeOutcome o = drive_pair(p);
    ASSERT_TRUE(o.server);
    EXPECT_EQ(err_of(*o.server), Err::CLIENT_HELLO_CANCELLED);
    EXPECT_EQ(o.server->kind(), ErrorKind::Application);
    EXPECT_NE(o.server->message().find("no such tenant"), std::string::npos);
    ASSERT_TRUE(o.client);
    EXPECT_EQ(o.client->kind(), ErrorKind::Alert);
    EXPECT_EQ(o.client->alert(), alert::handshake_failure);
    // Failed for good.
    EXPECT_TRUE(p.server.poll_negotiate().is_error());
  }
}

TEST(ClientHelloCallback, PendingUntilDoneWithWaker) {
  for (size_t max_io : {SIZE_MAX, size_t{1}}) {
    int calls = 0;
    Config server = server_with("ecdsa-p256", Policy::DEFAULT, [&](Connection&) {
      ++calls;
      return ClientHelloResult::pending();
    });
    Pair p(client_with(Policy::DEFAULT), server, max_io);
    int woken = 0;
    ASSERT_TRUE(p.server.set_waker([&woken] { ++woken; }).ok());
    // Nothing is pending yet.
    EXPECT_EQ(err_of(p.server.client_hello_callback_done().error()), Err::INVALID_STATE);
    Poll<void> s = deliver_client_hello(p);
    ASSERT_TRUE(s.is_pending());
    EXPECT_EQ(s.blocked(), Blocked::OnApplicationInput);
    EXPECT_EQ(calls, 1);
    // Still pending, and the callback is not asked again.
    for (int i = 0; i < 3; ++i) {
      auto again = p.server.poll_negotiate();
      ASSERT_TRUE(again.is_pending());
      EXPECT_EQ(again.blocked(), Blocked::OnApplicationInput);
    }
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(woken, 0);
    // The server sent nothing meanwhile.
    EXPECT_TRUE(p.s2c.bytes.empty());
    ASSERT_TRUE(p.server.client_hello_callback_done().ok());
    EXPECT_EQ(woken, 1);
    EXPECT_EQ(err_of(p.server.client_hello_callback_done().error()), Err::INVALID_STATE);
    finish(p);
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(transfer(p.server, p.client, "resumed"), "resumed");
  }
}

TEST(ClientHelloCallback, PendingWithoutWakerIsMissingWaker) {
  Config server = server_with("ecdsa-p256", Policy::DEFAULT,
                              [](Connection&) { return ClientHelloResult::pending(); });
  Pair p(client_with(Policy::DEFAULT), server);
  Poll<void> s = deliver_client_hello(p);
  ASSERT_TRUE(s.is_error());
  EXPECT_EQ(err_of(s.error()), Err::MISSING_WAKER);
  EXPECT_EQ(s.error().kind(), ErrorKind::Usage);
  // Not fatal: with a waker the connection pends, then completes.
  ASSERT_TRUE(p.server.set_waker([] {}).ok());
  auto again = p.server.poll_negotiate();
  ASSERT_TRUE(again.is_pending());
  EXPECT_EQ(again.blocked(), Blocked::OnApplicationInput);
  ASSERT_TRUE(p.server.client_hello_callback_done().ok());
  finish(p);
}

// Ready after `polls` polls; wakes the connection each time it is Pending. Optionally swaps
// the config when it completes, or fails.
struct CountdownFuture : ConnectionFuture {
  int remaining;
  int* polled;
  std::optional<Config> swap_to;
  bool fail = false;
  CountdownFuture(int n, int* counter) : remaining(n), polled(counter) {}
  Poll<void> poll(Connection& conn) override {
    ++*polled;
    if (--remaining > 0) {
      EXPECT_NE(conn.waker(), nullptr);
      if (conn.waker()) (*conn.waker())();
      return Pending{Blocked::OnApplicationInput};
    }
    if (fail) return make_error(Err::APPLICATION, "lookup failed");
    if (swap_to) {
      EXPECT_TRUE(conn.set_config(*swap_to).ok());
      EXPECT_TRUE(conn.server_name_extension_used().ok());
    }
    return Ready{};
  }
};

TEST(ClientHelloCallback, FuturePolledUntilReady) {
  int polled = 0, calls = 0, woken = 0;
  Config rsa = server_with("rsa2048", Policy::DEFAULT, nullptr);
  Config server = server_with("ecdsa-p256", Policy::DEFAULT, [&](Connection&) {
    ++calls;
    auto f = std::make_unique<CountdownFuture>(3, &polled);
    f->swap_to = rsa;
    return ClientHelloResult::future(std::move(f));
  });
  Pair p(client_with(Policy::DEFAULT), server, 1);
  ASSERT_TRUE(p.server.set_waker([&woken] { ++woken; }).ok());
  Poll<void> s = deliver_client_hello(p);
  ASSERT_TRUE(s.is_pending());
  EXPECT_EQ(s.blocked(), Blocked::OnApplicationInput);
  EXPECT_EQ(polled, 1);  // polled at once
  EXPECT_EQ(woken, 1);
  s = p.server.poll_negotiate();
  ASSERT_TRUE(s.is_pending());
  EXPECT_EQ(s.blocked(), Blocked::OnApplicationInput);
  EXPECT_EQ(polled, 2);
  // A future completes itself: the simple form's call does not apply.
  EXPECT_EQ(err_of(p.server.client_hello_callback_done().error()), Err::INVALID_STATE);
  finish(p);
  EXPECT_EQ(polled, 3);
  EXPECT_EQ(calls, 1);
  // The config the future chose: the client got the RSA certificate.
  EXPECT_EQ(*p.client.selected_signature_algorithm(), SignatureAlgorithm::RSA_PSS_RSAE);
}

TEST(ClientHelloCallback, FutureWithoutWakerIsMissingWaker) {
  int polled = 0;
  Config server = server_with("ecdsa-p256", Policy::DEFAULT, [&](Connection&) {
    return ClientHelloResult::future(std::make_unique<CountdownFuture>(1, &polled));
  });
  Pair p(client_with(Policy::DEFAULT), server);
  Poll<void> s = deliver_client_hello(p);
  ASSERT_TRUE(s.is_error());
  EXPECT_EQ(err_of(s.error()), Err::MISSING_WAKER);
  EXPECT_EQ(polled, 0);
  ASSERT_TRUE(p.server.set_waker([] {}).ok());
  finish(p);
  EXPECT_EQ(polled, 1);
}

TEST(ClientHelloCallback, FutureErrorFailsTheHandshake) {
  int polled = 0;
  Config server = server_with("ecdsa-p256", Policy::DEFAULT, [&](Connection&) {
    auto f = std::make_unique<CountdownFuture>(2, &polled);
    f->fail = true;
    return ClientHelloResult::future(std::move(f));
  });
  Pair p(client_with(Policy::DEFAULT), server);
  ASSERT_TRUE(p.server.set_waker([] {}).ok());
  HandshakeOutcome o = drive_pair(p);
  ASSERT_TRUE(o.server);
  EXPECT_EQ(err_of(*o.server), Err::CLIENT_HELLO_CANCELLED);
  EXPECT_NE(o.server->message().find("lookup failed"), std::string::npos);
  ASSERT_TRUE(o.client);
  EXPECT_EQ(o.client->alert(), alert::handshake_failure);
  EXPECT_EQ(polled, 2);
}

// Picks a certificate by the client's server name, as a multi-tenant server would.
struct SniServer {
  Config ecdsa, rsa, front;
  explicit SniServer(const Policy& policy = Policy::DEFAULT)
      : ecdsa(server_with("ecdsa-p256", policy, nullptr)),
        rsa(server_with("rsa2048", policy, nullptr, {"h2"})),
        front(server_with("ecdsa-p256", policy, [this](Connection& conn) {
          auto name = conn.server_name();
          if (name && *name == "rsa.test") {
            EXPECT_TRUE(conn.set_config(rsa).ok());
          } else if (name && *name == "ecdsa.test") {
            EXPECT_TRUE(conn.set_config(ecdsa).ok());
          }
          return ClientHelloResult::done();
        })) {}
};

TEST(ClientHelloCallback, ConfigSwapSelectsCertificateAndAlpn) {
  SniServer sni;
  for (const std::string name : {"rsa.test", "ecdsa.test"}) {
    Pair p(client_with(Policy::DEFAULT, {"h2"}), sni.front);
    ASSERT_TRUE(p.client.set_server_name(name).ok());
    // The test certificates name "localhost": accept the tenants' names.
    ASSERT_TRUE(p.client.set_verify_host_callback([](std::string_view) { return true; }).ok());
    finish(p);
    if (name == "rsa.test") {
      EXPECT_EQ(*p.client.selected_signature_algorithm(), SignatureAlgorithm::RSA_PSS_RSAE);
      ASSERT_TRUE(p.client.application_protocol());
      EXPECT_EQ(*p.client.application_protocol(), "h2");
    } else {
      EXPECT_EQ(*p.client.selected_signature_algorithm(), SignatureAlgorithm::ECDSA);
      EXPECT_FALSE(p.client.application_protocol());
    }
    EXPECT_EQ(p.server.server_name(), name);
  }
}

TEST(ClientHelloCallback, ConfigSwapTls12) {
  SniServer sni(tls12().policy());
  Pair p(client_with(tls12().policy()), sni.front);
  ASSERT_TRUE(p.client.set_server_name("rsa.test").ok());
  ASSERT_TRUE(p.client.set_verify_host_callback([](std::string_view) { return true; }).ok());
  finish(p);
  EXPECT_EQ(*p.client.actual_protocol_version(), Version::TLS12);
  EXPECT_NE(*p.client.selected_signature_algorithm(), SignatureAlgorithm::ECDSA);
}

TEST(ClientHelloCallback, SetConfigOutsideTheCallbackStillRefused) {
  Config server = server_with("ecdsa-p256", Policy::DEFAULT, nullptr);
  Pair p(client_with(Policy::DEFAULT), server);
  ASSERT_TRUE(p.client.poll_negotiate().is_pending());
  ASSERT_TRUE(p.server.poll_negotiate().is_pending());
  EXPECT_EQ(err_of(p.server.set_config(server).error()), Err::INVALID_STATE);
  EXPECT_EQ(err_of(p.server.server_name_extension_used().error()), Err::INVALID_STATE);
  finish(p);
}

TEST(ClientHelloCallback, ServerNameUsedEchoedInTls12ServerHello) {
  for (bool used : {false, true}) {
    Config server = server_with("ecdsa-p256", tls12().policy(), [used](Connection& conn) {
      if (used) {
        EXPECT_TRUE(conn.server_name_extension_used().ok());
      }
      return ClientHelloResult::done();
    });
    Pair p(client_with(tls12().policy()), server);
    // A name the certificate does not carry: one it carries is acknowledged anyway, as the
    // certificate was chosen by it (SPEC 6.15, cert_select_test.cpp).
    ASSERT_TRUE(p.client.set_server_name("unlisted.example").ok());
    ASSERT_TRUE(p.client.set_verify_host_callback([](std::string_view) { return true; }).ok());
    ASSERT_TRUE(p.client.poll_negotiate().is_pending());
    ASSERT_TRUE(p.server.poll_negotiate().is_pending());
    std::optional<bool> acked = server_hello_acks_name(p.s2c.bytes);
    ASSERT_TRUE(acked.has_value());
    EXPECT_EQ(*acked, used);
    // The client takes the acknowledgement (it asked for a name).
    finish(p);
    EXPECT_EQ(*p.client.actual_protocol_version(), Version::TLS12);
  }
}

TEST(ClientHelloCallback, NoEchoWithoutClientName) {
  Config server = server_with("ecdsa-p256", tls12().policy(), [](Connection& conn) {
    EXPECT_TRUE(conn.server_name_extension_used().ok());
    return ClientHelloResult::done();
  });
  // Not Pair: its client always names "localhost".
  Pipe c2s, s2c;
  Connection client = Connection::new_client();
  Connection srv = Connection::new_server();
  ASSERT_TRUE(client.set_config(client_with(tls12().policy())).ok());
  ASSERT_TRUE(client.set_verify_host_callback([](std::string_view) { return true; }).ok());
  ASSERT_TRUE(srv.set_config(server).ok());
  ASSERT_TRUE(
      client.set_send_callback([&](const uint8_t* b, uint32_t n) { return c2s.write(b, n); }).ok());
  ASSERT_TRUE(
      client.set_receive_callback([&](uint8_t* b, uint32_t n) { return s2c.read(b, n); }).ok());
  ASSERT_TRUE(
      srv.set_send_callback([&](const uint8_t* b, uint32_t n) { return s2c.write(b, n); }).ok());
  ASSERT_TRUE(
      srv.set_receive_callback([&](uint8_t* b, uint32_t n) { return c2s.read(b, n); }).ok());
  ASSERT_TRUE(client.poll_negotiate().is_pending());
  ASSERT_TRUE(srv.poll_negotiate().is_pending());
  std::optional<bool> acked = server_hello_acks_name(s2c.bytes);
  ASSERT_TRUE(acked.has_value());
  EXPECT_FALSE(*acked);
  finish(client, srv);
}

TEST(ClientHelloCallback, NoEchoOnTls12Resumption) {
  // s2n: a resumed session's name applies, so the server does not acknowledge one.
  auto sb = Config::builder();
  ASSERT_TRUE(sb.set_max_blinding_delay(std::chrono::seconds(0)).ok());
  ASSERT_TRUE(sb.with_system_certs(false).ok());
  ASSERT_TRUE(sb.set_security_policy(tls12().policy()).ok());
  ASSERT_TRUE(sb.load_pem(read_file(data_path("ecdsa-p256-cert.pem")),
                          read_file(data_path("ecdsa-p256-key.pem")))
                  .ok());
  const std::string key = "client hello callback ticket key";
  ASSERT_TRUE(sb.add_session_ticket_key(std::vector<uint8_t>{'k'},
                                        std::vector<uint8_t>(key.begin(), key.end()))
                  .ok());
  int calls = 0;
  ASSERT_TRUE(sb.set_client_hello_callback([&calls](Connection& conn) {
                  ++calls;
                  EXPECT_TRUE(conn.server_name_extension_used().ok());
                  return ClientHelloResult::done();
                }).ok());
  auto server = sb.build();
  ASSERT_TRUE(server.ok());
  auto cb = Config::builder();
  ASSERT_TRUE(cb.set_max_blinding_delay(std::chrono::seconds(0)).ok());
  ASSERT_TRUE(cb.with_system_certs(false).ok());
  ASSERT_TRUE(cb.set_security_policy(tls12().policy()).ok());
  ASSERT_TRUE(cb.trust_pem(read_file(data_path("ca-cert.pem"))).ok());
  ASSERT_TRUE(cb.enable_session_tickets(true).ok());
  auto client = cb.build();
  ASSERT_TRUE(client.ok());

  std::vector<uint8_t> blob;
  {
    Pair first(*client, *server);
    ASSERT_TRUE(first.client.poll_negotiate().is_pending());
    ASSERT_TRUE(first.server.poll_negotiate().is_pending());
    EXPECT_EQ(server_hello_acks_name(first.s2c.bytes), std::optional<bool>(true));
    finish(first);
    blob.resize(*first.client.session_ticket_length());
    ASSERT_FALSE(blob.empty());
    ASSERT_TRUE(first.client.session_ticket(blob).ok());
  }
  Pair p(*client, *server);
  ASSERT_TRUE(p.client.set_session_ticket(blob).ok());
  ASSERT_TRUE(p.client.poll_negotiate().is_pending());
  ASSERT_TRUE(p.server.poll_negotiate().is_pending());
  EXPECT_EQ(server_hello_acks_name(p.s2c.bytes), std::optional<bool>(false));
  finish(p);
  EXPECT_TRUE(p.server.resumed());
  EXPECT_EQ(calls, 2);
}

// TLS 1.3: EncryptedExtensions is encrypted; with an RSA certificate (fixed-size signature)
// the server's first flight is exactly 4 bytes longer when it carries the empty
// server_name (2 bytes type, 2 bytes length), and the client accepts it.
TEST(ClientHelloCallback, ServerNameUsedEchoedInTls13EncryptedExtensions) {
  std::vector<size_t> flight;
  for (bool used : {false, true}) {
    Config server = server_with("rsa2048", Policy::DEFAULT, [used](Connection& conn) {
      if (used) {
        EXPECT_TRUE(conn.server_name_extension_used().ok());
      }
      return ClientHelloResult::done();
    });
    Pair p(client_with(Policy::DEFAULT), server);
    // Not a name of the certificate (which would be acknowledged anyway, SPEC 6.15).
    ASSERT_TRUE(p.client.set_server_name("unlisted.example").ok());
    ASSERT_TRUE(p.client.set_verify_host_callback([](std::string_view) { return true; }).ok());
    ASSERT_TRUE(p.client.poll_negotiate().is_pending());
    ASSERT_TRUE(p.server.poll_negotiate().is_pending());
    flight.push_back(p.s2c.bytes.size());
    finish(p);
    EXPECT_EQ(*p.client.actual_protocol_version(), Version::TLS13);
  }
  EXPECT_EQ(flight[1], flight[0] + 4);
}

TEST(ClientHelloCallback, NotRunAgainAfterHelloRetry) {
  // The client's first share is for secp256r1, which the server refuses: HelloRetryRequest.
  TestPolicy client_pol({0x1301}, {0x0017, 0x001d});
  TestPolicy server_pol({0x1301}, {0x001d});
  int calls = 0;
  Config server = server_with("ecdsa-p256", server_pol.policy(), [&](Connection& conn) {
    ++calls;
    EXPECT_TRUE(conn.server_name_extension_used().ok());
    return ClientHelloResult::pending();
  });
  Pair p(client_with(client_pol.policy()), server, 1);
  int woken = 0;
  ASSERT_TRUE(p.server.set_waker([&woken] { ++woken; }).ok());
  Poll<void> s = deliver_client_hello(p);
  ASSERT_TRUE(s.is_pending());
  EXPECT_EQ(s.blocked(), Blocked::OnApplicationInput);
  ASSERT_TRUE(p.server.client_hello_callback_done().ok());
  EXPECT_EQ(woken, 1);
  finish(p);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(*p.server.handshake_type(),
            "NEGOTIATED|FULL_HANDSHAKE|HELLO_RETRY_REQUEST|MIDDLEBOX_COMPAT");
  EXPECT_EQ(transfer(p.client, p.server, "after a retry"), "after a retry");
}

}  // namespace
}  // namespace snr::test
