// The connection initializer (Config::Builder::set_connection_initializer, SPEC 3): once per
// connection before any handshake byte, in both roles and versions; what it sets is what the
// handshake uses; its future form, failure, wipe() reuse, the order with the client hello
// callback, and snr::both.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pair.hpp"
#include "util/error_code.hpp"

namespace snr::test {
namespace {

struct Ctx {
  std::string tag;
};

Policy tls12_policy() {
  // 20240501: TLS 1.2 only (SPEC 4).
  auto p = Policy::from_version("20240501");
  EXPECT_TRUE(p.ok());
  return *p;
}

std::vector<Policy> both_versions() { return {Policy::DEFAULT, tls12_policy()}; }

Config server_cfg(const Policy& policy, ConnectionInitializer init = {},
                  ClientHelloCallback hello = {}, std::vector<std::string_view> alpn = {}) {
  auto b = Config::builder();
  EXPECT_TRUE(b.set_max_blinding_delay(std::chrono::seconds(0)).ok());
  EXPECT_TRUE(b.with_system_certs(false).ok());
  EXPECT_TRUE(b.set_security_policy(policy).ok());
  EXPECT_TRUE(b.load_pem(read_file(data_path("ecdsa-p256-cert.pem")),
                         read_file(data_path("ecdsa-p256-key.pem")))
                  .ok());
  if (init) {
    EXPECT_TRUE(b.set_connection_initializer(std::move(init)).ok());
  }
  if (hello) {
    EXPECT_TRUE(b.set_client_hello_callback(std::move(hello)).ok());
  }
  if (!alpn.empty()) {
    EXPECT_TRUE(b.set_application_protocol_preference(alpn).ok());
  }
  auto c = b.build();
  EXPECT_TRUE(c.ok());
  return *c;
}

Config client_cfg(const Policy& policy, ConnectionInitializer init = {}) {
  auto b = Config::builder();
  EXPECT_TRUE(b.set_max_blinding_delay(std::chrono::seconds(0)).ok());
  EXPECT_TRUE(b.with_system_certs(false).ok());
  EXPECT_TRUE(b.set_security_policy(policy).ok());
  EXPECT_TRUE(b.trust_pem(read_file(data_path("ca-cert.pem"))).ok());
  if (init) {
    EXPECT_TRUE(b.set_connection_initializer(std::move(init)).ok());
  }
  auto c = b.build();
  EXPECT_TRUE(c.ok());
  return *c;
}

// Completes after `polls` polls; calls the waker each time it is still pending, as the
// future contract asks.
class CountdownFuture final : public ConnectionFuture {
 public:
  CountdownFuture(int polls, int* seen, bool fail = false)
      : left_(polls), seen_(seen), fail_(fail) {}
  Poll<void> poll(Connection& conn) override {
    ++*seen_;
    if (--left_ > 0) {
      if (const Waker* w = conn.waker()) (*w)();
      return Pending{Blocked::OnApplicationInput};
    }
    if (fail_) return make_error(Err::APPLICATION, "backend unavailable");
    return Ready{};
  }

 private:
  int left_;
  int* seen_;
  bool fail_;
};

TEST(ConnectionInitializer, RunsOnceInBothRolesAndVersions) {
  for (const Policy& pol : both_versions()) {
    for (size_t max_io : {SIZE_MAX, size_t{1}}) {
      int client_calls = 0, server_calls = 0;
      // Nothing may have been written or read when it runs.
      bool client_saw_io = false;
      Pipe* c2s = nullptr;
      auto client_init = [&](Connection& conn) {
        ++client_calls;
        EXPECT_EQ(conn.mode(), Mode::Client);
        client_saw_io = c2s != nullptr && !c2s->bytes.empty();
        return ConnectionFutureResult::done();
      };
      auto server_init = [&](Connection& conn) {
        ++server_calls;
        EXPECT_EQ(conn.mode(), Mode::Server);
        EXPECT_EQ(conn.client_hello(), nullptr);  // the hello is not read yet
        return ConnectionFutureResult::done();
      };
      Pair p(client_cfg(pol, client_init), server_cfg(pol, server_init), max_io);
      c2s = &p.c2s;
      HandshakeOutcome o = drive_pair(p.client, p.server);
      expect_success(o);
      EXPECT_EQ(client_calls, 1);
      EXPECT_EQ(server_calls, 1);
      EXPECT_FALSE(client_saw_io);
      // Idempotent once complete, and data flows.
      EXPECT_TRUE(p.client.poll_negotiate().is_ready());
      EXPECT_EQ(transfer(p.client, p.server, "hello"), "hello");
      EXPECT_EQ(client_calls, 1);
      EXPECT_EQ(server_calls, 1);
      EXPECT_EQ(*p.client.actual_protocol_version(),
                pol == Policy::DEFAULT ? Version::TLS13 : Version::TLS12);
    }
  }
}

TEST(ConnectionInitializer, SetsWhatTheHandshakeUses) {
  for (const Policy& pol : both_versions()) {
    // Client: the server name (sent as SNI, checked against the certificate) and ALPN.
    auto client_init = [](Connection& conn) {
      EXPECT_TRUE(conn.set_server_name("LocalHost").ok());
      EXPECT_TRUE(conn.set_application_protocol_preference({"h2"}).ok());
      return ConnectionFutureResult::done();
    };
    // Server: an application context the client hello callback then reads.
    std::string seen_by_hello;
    auto server_init = [](Connection& conn) {
      EXPECT_TRUE(conn.set_application_context(Ctx{"tenant-7"}).ok());
      return ConnectionFutureResult::done();
    };
    auto hello = [&](Connection& conn) {
      if (const Ctx* c = conn.application_context<Ctx>()) seen_by_hello = c->tag;
      return ClientHelloResult::done();
    };
    Pair p(client_cfg(pol, client_init), server_cfg(pol, server_init, hello, {"http/1.1", "h2"}));
    expect_success(drive_pair(p.client, p.server));
    ASSERT_TRUE(p.server.server_name().has_value());
    EXPECT_EQ(*p.server.server_name(), "LocalHost");
    ASSERT_TRUE(p.server.application_protocol().has_value());
    EXPECT_EQ(*p.server.application_protocol(), "h2");
    EXPECT_EQ(*p.client.application_protocol(), "h2");
    EXPECT_EQ(seen_by_hello, "tenant-7");
    ASSERT_NE(p.server.application_context<Ctx>(), nullptr);
    EXPECT_EQ(p.server.application_context<Ctx>()->tag, "tenant-7");
  }
}

TEST(ConnectionInitializer, SetsAPolicyTheHandshakeUses) {
  // The config allows TLS 1.3; the initializer narrows this connection to TLS 1.2.
  const Policy tls12 = tls12_policy();
  auto client_init = [&](Connection& conn) {
    EXPECT_TRUE(conn.set_security_policy(tls12).ok());
    return ConnectionFutureResult::done();
  };
  Pair p(client_cfg(Policy::DEFAULT, client_init), server_cfg(Policy::DEFAULT));
  expect_success(drive_pair(p.client, p.server));
  EXPECT_EQ(*p.server.actual_protocol_version(), Version::TLS12);
}

TEST(ConnectionInitializer, FutureCompletesAfterPolls) {
  for (const Policy& pol : both_versions()) {
    for (Mode role : {Mode::Client, Mode::Server}) {
      int polls = 0, calls = 0;
      ConnectionInitializer init = [&](Connection&) {
        ++calls;
        return ConnectionFutureResult::future(std::make_unique<CountdownFuture>(3, &polls));
      };
      Pair p(client_cfg(pol, role == Mode::Client ? init : nullptr),
             server_cfg(pol, role == Mode::Server ? init : nullptr));
      Connection& c = role == Mode::Client ? p.client : p.server;
      int woken = 0;
      ASSERT_TRUE(c.set_waker([&] { ++woken; }).ok());
      // The first two polls wait for the future; nothing is written or read meanwhile.
      if (role == Mode::Server) {
        ASSERT_TRUE(p.client.poll_negotiate().is_pending());
        ASSERT_FALSE(p.c2s.bytes.empty());
      }
      const size_t waiting = p.c2s.bytes.size();
      for (int i = 1; i <= 2; ++i) {
        auto r = c.poll_negotiate();
        ASSERT_TRUE(r.is_pending());
        EXPECT_EQ(r.blocked(), Blocked::OnApplicationInput);
        EXPECT_EQ(polls, i);
        EXPECT_EQ(woken, i);
        EXPECT_EQ(p.c2s.bytes.size(), waiting);  // the server has read nothing
        EXPECT_TRUE(p.s2c.bytes.empty());
      }
      expect_success(drive_pair(p.client, p.server));
      EXPECT_EQ(polls, 3);
      EXPECT_EQ(calls, 1);
      EXPECT_EQ(transfer(p.server, p.client, "after"), "after");
    }
  }
}

TEST(ConnectionInitializer, FutureWithoutWakerIsMissingWaker) {
  int polls = 0;
  auto init = [&](Connection&) {
    return ConnectionFutureResult::future(std::make_unique<CountdownFuture>(1, &polls));
  };
  Pair p(client_cfg(Policy::DEFAULT, init), server_cfg(Policy::DEFAULT));
  auto r = p.client.poll_negotiate();
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(err_of(r.error()), Err::MISSING_WAKER);
  EXPECT_EQ(polls, 0);
  EXPECT_TRUE(p.c2s.bytes.empty());
  // Not fatal: with a waker the future is polled and the handshake goes on.
  ASSERT_TRUE(p.client.set_waker([] {}).ok());
  expect_success(drive_pair(p.client, p.server));
  EXPECT_EQ(polls, 1);
}

TEST(ConnectionInitializer, FailEndsTheHandshakeBeforeAnyByte) {
  for (const Policy& pol : both_versions()) {
    for (Mode role : {Mode::Client, Mode::Server}) {
      ConnectionInitializer init = [](Connection&) {
        return ConnectionFutureResult::fail("no tenant");
      };
      Pair p(client_cfg(pol, role == Mode::Client ? init : nullptr),
             server_cfg(pol, role == Mode::Server ? init : nullptr));
      Connection& c = role == Mode::Client ? p.client : p.server;
      if (role == Mode::Server) {
        ASSERT_TRUE(p.client.poll_negotiate().is_pending());
      }
      const size_t sent_by_client = p.c2s.bytes.size();
      auto r = c.poll_negotiate();
      ASSERT_TRUE(r.is_error());
      EXPECT_EQ(err_of(r.error()), Err::CONNECTION_INITIALIZER_FAILED);
      EXPECT_EQ(r.error().name(), "S2N_ERR_CONNECTION_INITIALIZER_FAILED");
      EXPECT_EQ(r.error().kind(), ErrorKind::Application);
      EXPECT_NE(r.error().message().find("no tenant"), std::string::npos);
      // Nothing was sent (not even an alert) and nothing was read.
      EXPECT_TRUE(p.s2c.bytes.empty());
      EXPECT_EQ(p.c2s.bytes.size(), sent_by_client);
      // Failed for good.
      EXPECT_TRUE(c.poll_negotiate().is_error());
    }
  }
}

TEST(ConnectionInitializer, FailingFutureAndPendingAreErrors) {
  int polls = 0;
  auto failing = [&](Connection&) {
    return ConnectionFutureResult::future(std::make_unique<CountdownFuture>(2, &polls, true));
  };
  Pair p(client_cfg(Policy::DEFAULT, failing), server_cfg(Policy::DEFAULT));
  ASSERT_TRUE(p.client.set_waker([] {}).ok());
  ASSERT_TRUE(p.client.poll_negotiate().is_pending());
  auto r = p.client.poll_negotiate();
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(err_of(r.error()), Err::CONNECTION_INITIALIZER_FAILED);
  EXPECT_NE(r.error().message().find("backend unavailable"), std::string::npos);
  EXPECT_TRUE(p.c2s.bytes.empty());

  // pending() has nothing that could complete it.
  auto pending = [](Connection&) { return ConnectionFutureResult::pending(); };
  Pair q(client_cfg(Policy::DEFAULT, pending), server_cfg(Policy::DEFAULT));
  ASSERT_TRUE(q.client.set_waker([] {}).ok());
  auto e = q.client.poll_negotiate();
  ASSERT_TRUE(e.is_error());
  EXPECT_EQ(err_of(e.error()), Err::INVALID_ARGUMENT);
  EXPECT_TRUE(q.c2s.bytes.empty());
}

TEST(ConnectionInitializer, WipeRunsItAgain) {
  for (const Policy& pol : both_versions()) {
    int client_calls = 0, server_calls = 0;
    auto client_init = [&](Connection&) {
      ++client_calls;
      return ConnectionFutureResult::done();
    };
    auto server_init = [&](Connection& conn) {
      ++server_calls;
      EXPECT_EQ(conn.application_context<Ctx>(), nullptr);  // wipe() dropped the last one
      EXPECT_TRUE(conn.set_application_context(Ctx{"run " + std::to_string(server_calls)}).ok());
      return ConnectionFutureResult::done();
    };
    auto pipes = std::make_unique<Pair>(client_cfg(pol, client_init), server_cfg(pol, server_init));
    Pair& p = *pipes;
    expect_success(drive_pair(p.client, p.server));
    EXPECT_EQ(p.server.application_context<Ctx>()->tag, "run 1");
    for (Connection* c : {&p.client, &p.server}) ASSERT_TRUE(c->wipe().ok());
    p.c2s.bytes.clear();
    p.s2c.bytes.clear();
    ASSERT_TRUE(p.client.set_server_name("localhost").ok());
    ASSERT_TRUE(
        p.client.set_send_callback([&p](const uint8_t* b, uint32_t n) { return p.c2s.write(b, n); })
            .ok());
    ASSERT_TRUE(
        p.client.set_receive_callback([&p](uint8_t* b, uint32_t n) { return p.s2c.read(b, n); })
            .ok());
    ASSERT_TRUE(
        p.server.set_send_callback([&p](const uint8_t* b, uint32_t n) { return p.s2c.write(b, n); })
            .ok());
    ASSERT_TRUE(
        p.server.set_receive_callback([&p](uint8_t* b, uint32_t n) { return p.c2s.read(b, n); })
            .ok());
    expect_success(drive_pair(p.client, p.server));
    EXPECT_EQ(client_calls, 2);
    EXPECT_EQ(server_calls, 2);
    EXPECT_EQ(p.server.application_context<Ctx>()->tag, "run 2");
  }
}

TEST(ConnectionInitializer, RunsBeforeTheClientHelloCallbackAndNotForASwappedConfig) {
  for (const Policy& pol : both_versions()) {
    std::vector<std::string> order;
    int swapped_init_calls = 0;
    ConnectionInitializer swapped_init = [&](Connection&) {
      ++swapped_init_calls;
      return ConnectionFutureResult::done();
    };
    Config swapped = server_cfg(pol, swapped_init);
    ConnectionInitializer first_init = [&](Connection&) {
      order.push_back("init");
      return ConnectionFutureResult::done();
    };
    ClientHelloCallback first_hello = [&](Connection& conn) {
      order.push_back("hello");
      EXPECT_TRUE(conn.set_config(swapped).ok());
      return ClientHelloResult::done();
    };
    Config first = server_cfg(pol, first_init, first_hello);
    Pair p(client_cfg(pol), first);
    expect_success(drive_pair(p.client, p.server));
    EXPECT_EQ(order, (std::vector<std::string>{"init", "hello"}));
    EXPECT_EQ(swapped_init_calls, 0);
  }
}

TEST(ConnectionInitializer, BothRunsTwoInitializers) {
  std::vector<std::string> order;
  int polls = 0;
  ConnectionInitializer a = [&](Connection& conn) {
    order.push_back("a");
    EXPECT_TRUE(conn.set_application_protocol_preference({"h2"}).ok());
    return ConnectionFutureResult::future(std::make_unique<CountdownFuture>(2, &polls));
  };
  ConnectionInitializer b = [&](Connection&) {
    order.push_back("b");
    return ConnectionFutureResult::done();
  };
  Pair p(client_cfg(Policy::DEFAULT, both(a, b)),
         server_cfg(Policy::DEFAULT, {}, {}, {"http/1.1", "h2"}));
  ASSERT_TRUE(p.client.set_waker([] {}).ok());
  expect_success(drive_pair(p.client, p.server));
  EXPECT_EQ(order, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(polls, 2);
  EXPECT_EQ(*p.client.application_protocol(), "h2");

  // Two futures are polled side by side: ready when the slower is.
  int polls_a = 0, polls_b = 0;
  ConnectionInitializer fa = [&](Connection&) {
    return ConnectionFutureResult::future(std::make_unique<CountdownFuture>(2, &polls_a));
  };
  ConnectionInitializer fb = [&](Connection&) {
    return ConnectionFutureResult::future(std::make_unique<CountdownFuture>(4, &polls_b));
  };
  Pair q(client_cfg(Policy::DEFAULT, both(fa, fb)), server_cfg(Policy::DEFAULT));
  ASSERT_TRUE(q.client.set_waker([] {}).ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(q.client.poll_negotiate().is_pending());
  EXPECT_TRUE(q.c2s.bytes.empty());
  expect_success(drive_pair(q.client, q.server));
  EXPECT_EQ(polls_a, 2);
  EXPECT_EQ(polls_b, 4);

  // Either failing fails the handshake; an empty part counts as done.
  ConnectionInitializer fail = [](Connection&) {
    return ConnectionFutureResult::fail("b says no");
  };
  Pair r(client_cfg(Policy::DEFAULT, both(ConnectionInitializer{}, fail)),
         server_cfg(Policy::DEFAULT));
  auto e = r.client.poll_negotiate();
  ASSERT_TRUE(e.is_error());
  EXPECT_EQ(err_of(e.error()), Err::CONNECTION_INITIALIZER_FAILED);
  EXPECT_NE(e.error().message().find("b says no"), std::string::npos);
}

TEST(ConnectionInitializer, BuilderRefusesAfterBuild) {
  auto b = Config::builder();
  ASSERT_TRUE(b.with_system_certs(false).ok());
  ASSERT_TRUE(b.build().ok());
  auto s = b.set_connection_initializer([](Connection&) { return ConnectionFutureResult::done(); });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(err_of(s.error()), Err::INVALID_STATE);
}

}  // namespace
}  // namespace snr::test
