// Connection pools: ConfigPool reuse and size limit, PooledConnection's give-back on
// destruction, handshakes on pooled connections, and concurrent take/give.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "core/connection_state.hpp"
#include "pair.hpp"

namespace snr::test {
namespace {

TEST(ConfigPool, ReusesGivenBackConnectionsUpToItsLimit) {
  Config cfg = client_config();
  auto pool = ConfigPool::Builder(Mode::Client, cfg).set_max_pool_size(2).build();
  EXPECT_EQ(pool->mode(), Mode::Client);
  EXPECT_EQ(pool->max_pool_size(), 2u);
  EXPECT_EQ(pool->pool_size(), 0u);

  auto a = pool->take();
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->mode(), Mode::Client);
  EXPECT_TRUE(a->state().config == cfg);
  const detail::ConnectionState* state_a = &a->state();
  pool->give(std::move(a).value());
  EXPECT_EQ(pool->pool_size(), 1u);

  // The same connection comes back (its state object was kept, not reallocated).
  auto again = pool->take();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(&again->state(), state_a);
  EXPECT_TRUE(again->state().config == cfg);
  EXPECT_EQ(pool->pool_size(), 0u);

  std::vector<Connection> many;
  for (int i = 0; i < 3; ++i) many.push_back(std::move(pool->take()).value());
  for (Connection& c : many) pool->give(std::move(c));
  EXPECT_EQ(pool->pool_size(), 2u);  // the third was freed

  // A connection of the other mode is not kept.
  pool->give(Connection::new_server());
  EXPECT_EQ(pool->pool_size(), 2u);
}

TEST(ConfigPool, GivenBackConnectionsAreWiped) {
  auto pool = ConfigPool::Builder(Mode::Server, server_config("ecdsa-p256")).build();
  auto conn = pool->take();
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(conn->set_application_context(5).ok());
  ASSERT_TRUE(conn->set_send_callback([](const uint8_t*, uint32_t n) { return int(n); }).ok());
  pool->give(std::move(conn).value());
  auto back = pool->take();
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->application_context<int>(), nullptr);
  EXPECT_FALSE(back->state().send_fn);
}

// A handshake and data on pooled connections, twice: the second time on the reused ones.
TEST(PooledConnection, HandshakesThenGoesBackToThePool) {
  std::shared_ptr<Pool> clients = ConfigPool::Builder(Mode::Client, client_config()).build();
  auto servers = ConfigPool::Builder(Mode::Server, server_config("ecdsa-p256")).build();
  const detail::ConnectionState* first_client = nullptr;
  for (int round = 0; round < 2; ++round) {
    auto c = PooledConnection::create(clients);
    auto s = PooledConnection::create(servers);
    ASSERT_TRUE(c.ok() && s.ok());
    if (round == 0) first_client = &(*c)->state();
    if (round == 1) {
      EXPECT_EQ(&(*c)->state(), first_client);
    }
    EXPECT_FALSE((*c)->is_handshake_complete());
    Pipe c2s, s2c;
    Connection& client = **c;
    Connection& server = **s;
    ASSERT_TRUE(client.set_server_name("localhost").ok());
    ASSERT_TRUE(
        client.set_send_callback([&](const uint8_t* b, uint32_t n) { return c2s.write(b, n); })
            .ok());
    ASSERT_TRUE(
        client.set_receive_callback([&](uint8_t* b, uint32_t n) { return s2c.read(b, n); }).ok());
    ASSERT_TRUE(
        server.set_send_callback([&](const uint8_t* b, uint32_t n) { return s2c.write(b, n); })
            .ok());
    ASSERT_TRUE(
        server.set_receive_callback([&](uint8_t* b, uint32_t n) { return c2s.read(b, n); }).ok());
    bool cd = false, sd = false;
    for (int i = 0; i < 1000 && !(cd && sd); ++i) {
      auto r = client.poll_negotiate();
      ASSERT_FALSE(r.is_error()) << r.error().message();
      cd = r.is_ready();
      auto q = server.poll_negotiate();
      ASSERT_FALSE(q.is_error()) << q.error().message();
      sd = q.is_ready();
    }
    ASSERT_TRUE(cd && sd);
    EXPECT_EQ(transfer(client, server, "pooled"), "pooled");
    EXPECT_EQ(clients->mode(), Mode::Client);
    // Moving the handle moves the connection; only one give-back happens.
    PooledConnection moved = std::move(c).value();
    EXPECT_TRUE(moved->is_handshake_complete());
    EXPECT_EQ(servers->pool_size(), 0u);
  }
  EXPECT_EQ(servers->pool_size(), 1u);
  auto* cp = static_cast<ConfigPool*>(clients.get());
  EXPECT_EQ(cp->pool_size(), 1u);
}

TEST(PooledConnection, ANullPoolIsAnError) { EXPECT_FALSE(PooledConnection::create(nullptr).ok()); }

TEST(ConfigPool, ConcurrentTakeAndGive) {
  auto pool = ConfigPool::Builder(Mode::Client, client_config()).set_max_pool_size(3).build();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([pool] {
      for (int i = 0; i < 200; ++i) {
        auto c = PooledConnection::create(pool);
        if (!c.ok()) return;
        (void)(*c)->set_application_context(i);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_GE(pool->pool_size(), 1u);
  EXPECT_LE(pool->pool_size(), 3u);
  auto c = pool->take();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->application_context<int>(), nullptr);
}

}  // namespace
}  // namespace snr::test
