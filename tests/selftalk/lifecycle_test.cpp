// Connection lifecycle: blinding (both modes, on an injected monotonic clock), wipe and
// reuse, release_buffers, corked fd I/O on a real TCP connection, the send buffer size,
// application contexts, the waker, and operator<<.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "core/connection_state.hpp"
#include "hs/config_data.hpp"
#include "pair.hpp"
#include "util/error_code.hpp"

namespace snr::test {
namespace {

using std::chrono::nanoseconds;
using std::chrono::seconds;
constexpr uint64_t kSec = 1'000'000'000ull;

// A monotonic clock the test moves by hand.
struct FakeClock {
  std::shared_ptr<std::atomic<uint64_t>> now = std::make_shared<std::atomic<uint64_t>>(kSec);
  MonotonicClock fn() const {
    auto n = now;
    return [n] { return n->load(); };
  }
  void advance(uint64_t ns) { *now += ns; }
};

Config server_with(const std::function<void(Config::Builder&)>& tweak) {
  auto b = Config::builder();
  EXPECT_TRUE(b.set_max_blinding_delay(seconds(0)).ok());
  EXPECT_TRUE(b.with_system_certs(false).ok());
  EXPECT_TRUE(b.load_pem(read_file(data_path("ecdsa-p256-cert.pem")),
                         read_file(data_path("ecdsa-p256-key.pem")))
                  .ok());
  tweak(b);
  auto c = b.build();
  EXPECT_TRUE(c.ok());
  return *c;
}

// Bytes no TLS server accepts as the start of a handshake: an application data record.
void send_garbage(Pair& p) {
  const uint8_t bad[] = {23, 3, 3, 0, 4, 'j', 'u', 'n', 'k'};
  p.c2s.bytes.insert(p.c2s.bytes.end(), std::begin(bad), std::end(bad));
}

double elapsed_s(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// --- blinding ---

TEST(Blinding, DefaultsAreBuiltInWithS2nsRange) {
  auto c = Config::builder().build();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->data().blinding_min_ns, 10 * kSec);
  EXPECT_EQ(c->data().blinding_max_ns, 30 * kSec);
  Connection conn = Connection::new_server();
  EXPECT_EQ(conn.state().blinding, Blinding::BuiltIn);
  EXPECT_EQ(conn.remaining_blinding_delay(), nanoseconds(0));

  auto b = Config::builder();
  ASSERT_TRUE(b.set_max_blinding_delay(seconds(9)).ok());
  EXPECT_FALSE(b.set_max_blinding_delay(seconds(-1)).ok());
  auto nine = b.build();
  ASSERT_TRUE(nine.ok());
  EXPECT_EQ(nine->data().blinding_min_ns, 3 * kSec);
  EXPECT_EQ(nine->data().blinding_max_ns, 9 * kSec);
}

TEST(Blinding, SelfServiceDelaysShutdownOnTheMonotonicClock) {
  FakeClock clock;
  Config server = server_with([&](Config::Builder& b) {
    ASSERT_TRUE(b.set_max_blinding_delay(seconds(3)).ok());
    ASSERT_TRUE(b.set_monotonic_clock(clock.fn()).ok());
  });
  Pair p(client_config(), server);
  ASSERT_TRUE(p.server.set_blinding(Blinding::SelfService).ok());
  send_garbage(p);
  const auto start = std::chrono::steady_clock::now();
  auto r = p.server.poll_negotiate();
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().kind(), ErrorKind::Protocol);
  EXPECT_LT(elapsed_s(start), 1.0);  // SelfService returns at once

  // The delay is in [max/3, max].
  const nanoseconds left = p.server.remaining_blinding_delay();
  EXPECT_GE(left, nanoseconds(kSec));
  EXPECT_LE(left, nanoseconds(3 * kSec));
  auto sd = p.server.poll_shutdown();
  ASSERT_TRUE(sd.is_pending());
  EXPECT_EQ(sd.blocked(), Blocked::OnBlinding);
  auto sds = p.server.poll_shutdown_send();
  ASSERT_TRUE(sds.is_pending());
  EXPECT_EQ(sds.blocked(), Blocked::OnBlinding);
  // Closed both ways meanwhile.
  uint8_t buf[8];
  EXPECT_TRUE(p.server.poll_recv(buf).is_error());
  EXPECT_TRUE(p.server.poll_send("x").is_error());

  clock.advance(static_cast<uint64_t>(left.count()) - 1);
  EXPECT_EQ(p.server.remaining_blinding_delay(), nanoseconds(1));
  EXPECT_TRUE(p.server.poll_shutdown().is_pending());
  clock.advance(1);
  EXPECT_EQ(p.server.remaining_blinding_delay(), nanoseconds(0));
  // A blinded connection does not wait for the peer's close_notify (none will come).
  EXPECT_TRUE(p.server.poll_shutdown().is_ready());
}

TEST(Blinding, DelaysAreRandomInTheRange) {
  FakeClock clock;
  Config server = server_with([&](Config::Builder& b) {
    ASSERT_TRUE(b.set_max_blinding_delay(seconds(30)).ok());
    ASSERT_TRUE(b.set_monotonic_clock(clock.fn()).ok());
  });
  std::vector<int64_t> delays;
  for (int i = 0; i < 4; ++i) {
    Pair p(client_config(), server);
    ASSERT_TRUE(p.server.set_blinding(Blinding::SelfService).ok());
    send_garbage(p);
    ASSERT_TRUE(p.server.poll_negotiate().is_error());
    delays.push_back(p.server.remaining_blinding_delay().count());
    EXPECT_GE(delays.back(), static_cast<int64_t>(10 * kSec));
    EXPECT_LE(delays.back(), static_cast<int64_t>(30 * kSec));
  }
  std::sort(delays.begin(), delays.end());
  EXPECT_NE(delays.front(), delays.back());  // 20 s of nanoseconds: equal draws do not happen
}

TEST(Blinding, BuiltInSleepsInTheFailingCall) {
  Config server = server_with(
      [](Config::Builder& b) { ASSERT_TRUE(b.set_max_blinding_delay(seconds(1)).ok()); });
  Pair p(client_config(), server);
  send_garbage(p);
  const auto start = std::chrono::steady_clock::now();
  auto r = p.server.poll_negotiate();
  const double took = elapsed_s(start);
  ASSERT_TRUE(r.is_error());
  EXPECT_GE(took, 0.33);
  EXPECT_LT(took, 3.0);
  // The delay was served: shutdown is not held back.
  EXPECT_EQ(p.server.remaining_blinding_delay(), nanoseconds(0));
  EXPECT_TRUE(p.server.poll_shutdown().is_ready());
}

TEST(Blinding, ZeroMaxDelayTurnsItOff) {
  FakeClock clock;
  Config server =
      server_with([&](Config::Builder& b) { ASSERT_TRUE(b.set_monotonic_clock(clock.fn()).ok()); });
  Pair p(client_config(), server);
  ASSERT_TRUE(p.server.set_blinding(Blinding::SelfService).ok());
  send_garbage(p);
  ASSERT_TRUE(p.server.poll_negotiate().is_error());
  EXPECT_EQ(p.server.remaining_blinding_delay(), nanoseconds(0));
  EXPECT_TRUE(p.server.poll_shutdown().is_ready());
}

TEST(Blinding, ClosedAndUsageErrorsAreNotBlinded) {
  FakeClock clock;
  auto tweak = [&](Config::Builder& b) {
    ASSERT_TRUE(b.set_max_blinding_delay(seconds(3)).ok());
    ASSERT_TRUE(b.set_monotonic_clock(clock.fn()).ok());
  };
  {
    // The peer hangs up mid-handshake: CLOSED.
    Pair p(client_config(), server_with(tweak));
    ASSERT_TRUE(p.server.set_blinding(Blinding::SelfService).ok());
    p.c2s.closed = true;
    auto r = p.server.poll_negotiate();
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error().kind(), ErrorKind::Closed);
    EXPECT_EQ(p.server.remaining_blinding_delay(), nanoseconds(0));
    EXPECT_TRUE(p.server.poll_shutdown().is_ready());
  }
  {
    // A server without a certificate: a usage error.
    auto b = Config::builder();
    tweak(b);
    ASSERT_TRUE(b.with_system_certs(false).ok());
    auto cfg = b.build();
    ASSERT_TRUE(cfg.ok());
    Pair p(client_config(), *cfg);
    ASSERT_TRUE(p.server.set_blinding(Blinding::SelfService).ok());
    auto r = p.server.poll_negotiate();
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error().kind(), ErrorKind::Usage);
    EXPECT_EQ(p.server.remaining_blinding_delay(), nanoseconds(0));
  }
}

TEST(Blinding, AReceivedFatalAlertIsBlinded) {
  FakeClock clock;
  auto b = Config::builder();
  ASSERT_TRUE(b.set_max_blinding_delay(seconds(3)).ok());
  ASSERT_TRUE(b.set_monotonic_clock(clock.fn()).ok());
  ASSERT_TRUE(b.with_system_certs(false).ok());  // the client trusts nothing
  auto client = b.build();
  ASSERT_TRUE(client.ok());
  // The server gets the client's bad_certificate/unknown_ca alert.
  Config server = server_with([&](Config::Builder& sb) {
    ASSERT_TRUE(sb.set_max_blinding_delay(seconds(3)).ok());
    ASSERT_TRUE(sb.set_monotonic_clock(clock.fn()).ok());
  });
  Pair p(*client, server);
  ASSERT_TRUE(p.client.set_blinding(Blinding::SelfService).ok());
  ASSERT_TRUE(p.server.set_blinding(Blinding::SelfService).ok());
  auto err = p.handshake();
  ASSERT_TRUE(err);
  EXPECT_EQ(err->kind(), ErrorKind::Protocol);
  EXPECT_GT(p.client.remaining_blinding_delay(), nanoseconds(0));
  auto s = p.server.poll_negotiate();
  ASSERT_TRUE(s.is_error());
  EXPECT_EQ(s.error().kind(), ErrorKind::Alert);
  EXPECT_GT(p.server.remaining_blinding_delay(), nanoseconds(0));
}

// --- wipe ---

void attach_io(Pair& p) {
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
}

TEST(Wipe, ConnectionsHandshakeAgainAfterWipe) {
  Config server = server_config("ecdsa-p256");
  Config client = client_config();
  Pair p(client, server);
  ASSERT_TRUE(p.client.set_application_context(std::string("dropped")).ok());
  ASSERT_FALSE(p.handshake());
  EXPECT_EQ(transfer(p.client, p.server, "first"), "first");
  ASSERT_TRUE(p.client.wipe().ok());
  ASSERT_TRUE(p.server.wipe().ok());

  // Only mode and config are kept.
  for (Connection* c : {&p.client, &p.server}) {
    EXPECT_FALSE(c->is_handshake_complete());
    EXPECT_EQ(*c->cipher_suite(), "TLS_NULL_WITH_NULL_NULL");
    EXPECT_FALSE(c->actual_protocol_version().ok());
    EXPECT_FALSE(c->state().has_io());
  }
  EXPECT_EQ(p.client.mode(), Mode::Client);
  EXPECT_EQ(p.server.mode(), Mode::Server);
  EXPECT_TRUE(p.client.state().config == client);
  EXPECT_TRUE(p.server.state().config == server);
  EXPECT_FALSE(p.client.server_name());
  EXPECT_EQ(p.client.application_context<std::string>(), nullptr);

  p.c2s.bytes.clear();
  p.s2c.bytes.clear();
  attach_io(p);
  auto err = p.handshake();
  ASSERT_FALSE(err) << err->message();
  EXPECT_EQ(transfer(p.client, p.server, "second"), "second");
  EXPECT_EQ(transfer(p.server, p.client, "reply"), "reply");
}

TEST(Wipe, AFailedConnectionIsUsableAfterWipe) {
  Pair p(client_config(), server_config("ecdsa-p256"));
  send_garbage(p);
  ASSERT_TRUE(p.server.poll_negotiate().is_error());
  ASSERT_TRUE(p.server.wipe().ok());
  ASSERT_TRUE(p.client.wipe().ok());
  p.c2s.bytes.clear();
  p.s2c.bytes.clear();
  attach_io(p);
  auto err = p.handshake();
  ASSERT_FALSE(err) << err->message();
  EXPECT_EQ(transfer(p.client, p.server, "recovered"), "recovered");
}

// --- release_buffers ---

TEST(ReleaseBuffers, IdleConnectionsKeepWorking) {
  Pair p(client_config(), server_config("ecdsa-p256"));
  ASSERT_FALSE(p.handshake());
  const std::string big(40000, 'b');
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE(p.client.release_buffers().ok());
    ASSERT_TRUE(p.server.release_buffers().ok());
    EXPECT_EQ(transfer(p.client, p.server, big), big);
    EXPECT_EQ(transfer(p.server, p.client, "small"), "small");
  }
  // A KeyUpdate re-keys a released cipher context.
  ASSERT_TRUE(p.client.release_buffers().ok());
  ASSERT_TRUE(p.server.release_buffers().ok());
  ASSERT_TRUE(p.client.request_key_update(PeerKeyUpdate::KeyUpdatedRequested).ok());
  EXPECT_EQ(transfer(p.client, p.server, "after update"), "after update");
  ASSERT_TRUE(p.server.release_buffers().ok());
  EXPECT_EQ(transfer(p.server, p.client, "and back"), "and back");
}

TEST(ReleaseBuffers, RefusedWhileDataIsBuffered) {
  Pair p(client_config(), server_config("ecdsa-p256"));
  ASSERT_FALSE(p.handshake());

  // Unsent output: the transport would block.
  bool blocked = true;
  ASSERT_TRUE(p.client
                  .set_send_callback([&](const uint8_t* b, uint32_t n) {
                    if (blocked) {
                      errno = EAGAIN;
                      return -1;
                    }
                    return p.c2s.write(b, n);
                  })
                  .ok());
  auto sent = p.client.poll_send("pending");
  ASSERT_TRUE(sent.is_ready());
  auto r = p.client.release_buffers();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::Usage);
  blocked = false;
  ASSERT_TRUE(p.client.poll_flush().is_ready());
  EXPECT_TRUE(p.client.release_buffers().ok());

  // Unread input: a record read in part.
  uint8_t two[2];
  auto got = p.server.poll_recv(two);
  ASSERT_TRUE(got.is_ready());
  EXPECT_EQ(got.value(), 2u);
  EXPECT_FALSE(p.server.release_buffers().ok());
  uint8_t rest[16];
  got = p.server.poll_recv(rest);
  ASSERT_TRUE(got.is_ready());
  EXPECT_EQ(std::string(reinterpret_cast<char*>(rest), got.value()), "nding");
  EXPECT_TRUE(p.server.release_buffers().ok());
}

// --- corked I/O ---

struct TcpPair {
  int client = -1, server = -1;
  TcpPair() {
    int lst = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (lst < 0 || ::bind(lst, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::listen(lst, 1) != 0 || ::getsockname(lst, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      return;
    client = ::socket(AF_INET, SOCK_STREAM, 0);
    if (::connect(client, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return;
    server = ::accept(lst, nullptr, nullptr);
    ::close(lst);
    for (int fd : {client, server}) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  }
  ~TcpPair() {
    if (client >= 0) ::close(client);
    if (server >= 0) ::close(server);
  }
};

int cork_of(int fd) {
  int v = -1;
  socklen_t len = sizeof v;
  if (::getsockopt(fd, IPPROTO_TCP, TCP_CORK, &v, &len) != 0) return -1;
  return v;
}

// Both sides driven in this thread over fds.
std::optional<Error> drive(Connection& client, Connection& server) {
  bool c = false, s = false;
  const auto start = std::chrono::steady_clock::now();
  while (!(c && s) && elapsed_s(start) < 20) {
    if (!c) {
      auto r = client.poll_negotiate();
      if (r.is_error()) return r.error();
      c = r.is_ready();
    }
    if (!s) {
      auto r = server.poll_negotiate();
      if (r.is_error()) return r.error();
      s = r.is_ready();
    }
  }
  if (!(c && s)) return Pair::make_stall_error();
  return std::nullopt;
}

TEST(CorkedIo, CorksTcpWhileWritingAFlight) {
  TcpPair tcp;
  ASSERT_GE(tcp.server, 0);
  // The key log runs while the server writes its flight (secrets are derived between
  // ServerHello and Finished): the socket must be corked then.
  auto corks = std::make_shared<std::vector<int>>();
  const int server_fd = tcp.server;
  Config server = server_with([&](Config::Builder& b) {
    ASSERT_TRUE(b.set_key_log_callback([corks, server_fd](const Connection&, std::string_view) {
                   corks->push_back(cork_of(server_fd));
                 }).ok());
  });
  Connection client = Connection::new_client();
  Connection srv = Connection::new_server();
  ASSERT_TRUE(client.set_config(client_config()).ok());
  ASSERT_TRUE(client.set_server_name("localhost").ok());
  ASSERT_TRUE(srv.set_config(server).ok());
  ASSERT_FALSE(srv.use_corked_io().ok());  // no fd yet
  ASSERT_TRUE(client.set_fd(tcp.client).ok());
  ASSERT_TRUE(srv.set_fd(tcp.server).ok());
  ASSERT_TRUE(client.use_corked_io().ok());
  ASSERT_TRUE(srv.use_corked_io().ok());

  auto first = client.poll_negotiate();
  ASSERT_TRUE(first.is_pending());
  // Waiting for the server's answer: the ClientHello has been let go.
  EXPECT_EQ(cork_of(tcp.client), 0);
  auto err = drive(client, srv);
  ASSERT_FALSE(err) << err->message();
  ASSERT_FALSE(corks->empty());
  EXPECT_EQ(corks->front(), 1);
  EXPECT_EQ(cork_of(tcp.client), 0);
  EXPECT_EQ(cork_of(tcp.server), 0);
  EXPECT_EQ(transfer(client, srv, "over tcp"), "over tcp");
  EXPECT_EQ(transfer(srv, client, "and back"), "and back");
}

TEST(CorkedIo, CallbacksCannotBeCorkedAndPipesAreLeftAlone) {
  {
    Pair p(client_config(), server_config("ecdsa-p256"));
    auto r = p.client.use_corked_io();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind(), ErrorKind::Usage);
  }
  int c2s[2], s2c[2];
  ASSERT_EQ(::pipe2(c2s, O_NONBLOCK), 0);
  ASSERT_EQ(::pipe2(s2c, O_NONBLOCK), 0);
  Connection client = Connection::new_client();
  Connection srv = Connection::new_server();
  ASSERT_TRUE(client.set_config(client_config()).ok());
  ASSERT_TRUE(client.set_server_name("localhost").ok());
  ASSERT_TRUE(srv.set_config(server_config("ecdsa-p256")).ok());
  ASSERT_TRUE(client.set_write_fd(c2s[1]).ok());
  ASSERT_TRUE(client.set_read_fd(s2c[0]).ok());
  ASSERT_TRUE(srv.set_write_fd(s2c[1]).ok());
  ASSERT_TRUE(srv.set_read_fd(c2s[0]).ok());
  ASSERT_TRUE(client.use_corked_io().ok());
  ASSERT_TRUE(srv.use_corked_io().ok());
  auto err = drive(client, srv);
  EXPECT_FALSE(err) << err->message();
  EXPECT_EQ(transfer(client, srv, "piped"), "piped");
  for (int fd : {c2s[0], c2s[1], s2c[0], s2c[1]}) ::close(fd);
}

// --- send buffer size ---

struct SendLog {
  std::vector<uint32_t> sizes;
  uint32_t largest() const {
    return sizes.empty() ? 0 : *std::max_element(sizes.begin(), sizes.end());
  }
};

void log_client_sends(Pair& p, SendLog& log) {
  ASSERT_TRUE(p.client
                  .set_send_callback([&p, &log](const uint8_t* b, uint32_t n) {
                    log.sizes.push_back(n);
                    return p.c2s.write(b, n);
                  })
                  .ok());
}

TEST(SendBufferSize, SmallBufferMeansSmallerSends) {
  const std::string data(60000, 'd');
  SendLog unlimited;
  {
    Pair p(client_config(), server_config("ecdsa-p256"));
    ASSERT_FALSE(p.handshake());
    log_client_sends(p, unlimited);
    EXPECT_EQ(transfer(p.client, p.server, data), data);
  }
  SendLog small;
  {
    Pair p(client_config(), server_config("ecdsa-p256"));
    ASSERT_TRUE(p.client.set_send_buffer_size(2000).ok());
    ASSERT_FALSE(p.handshake());
    log_client_sends(p, small);
    EXPECT_EQ(transfer(p.client, p.server, data), data);
  }
  EXPECT_GT(unlimited.largest(), 16000u);
  EXPECT_LE(small.largest(), 2000u);
  EXPECT_GE(small.sizes.size(), data.size() / 2000);
  EXPECT_GT(small.sizes.size(), unlimited.sizes.size());
}

TEST(SendBufferSize, ConfigSetsItAndTheMinimumHoldsOneSmallRecord) {
  EXPECT_FALSE(Connection::new_client().set_send_buffer_size(1033).ok());
  EXPECT_TRUE(Connection::new_client().set_send_buffer_size(1034).ok());
  auto b = Config::builder();
  ASSERT_TRUE(b.set_max_blinding_delay(seconds(0)).ok());
  EXPECT_FALSE(b.set_send_buffer_size(100).ok());
  ASSERT_TRUE(b.set_send_buffer_size(1034).ok());
  ASSERT_TRUE(b.with_system_certs(false).ok());
  ASSERT_TRUE(b.trust_pem(read_file(data_path("ca-cert.pem"))).ok());
  auto client = b.build();
  ASSERT_TRUE(client.ok());
  Pair p(*client, server_config("ecdsa-p256"));
  ASSERT_FALSE(p.handshake());
  SendLog log;
  log_client_sends(p, log);
  const std::string data(10000, 'e');
  EXPECT_EQ(transfer(p.client, p.server, data), data);
  EXPECT_LE(log.largest(), 1034u);
  // Records were made to fit the buffer, so there are many small sends.
  EXPECT_GE(log.sizes.size(), 10u);
}

// --- application context ---

struct Counter {
  int n = 0;
};

TEST(AppContext, OneValuePerType) {
  Connection conn = Connection::new_client();
  EXPECT_EQ(conn.application_context<int>(), nullptr);
  ASSERT_TRUE(conn.set_application_context(7).ok());
  ASSERT_TRUE(conn.set_application_context(std::string("name")).ok());
  ASSERT_TRUE(conn.set_application_context(Counter{}).ok());
  ASSERT_NE(conn.application_context<int>(), nullptr);
  EXPECT_EQ(*conn.application_context<int>(), 7);
  EXPECT_EQ(*conn.application_context<std::string>(), "name");
  conn.application_context_mut<Counter>()->n += 5;
  const Connection& cref = conn;
  EXPECT_EQ(cref.application_context<Counter>()->n, 5);
  // Setting a type again replaces its value.
  ASSERT_TRUE(conn.set_application_context(8).ok());
  EXPECT_EQ(*conn.application_context<int>(), 8);
  EXPECT_EQ(conn.application_context<long>(), nullptr);  // a different type

  auto removed = conn.remove_application_context<int>();
  ASSERT_TRUE(removed);
  EXPECT_EQ(*removed, 8);
  EXPECT_EQ(conn.application_context<int>(), nullptr);
  EXPECT_FALSE(conn.remove_application_context<int>());
  EXPECT_EQ(*conn.application_context<std::string>(), "name");

  // Move-only values, destroyed with the connection (or wipe).
  auto alive = std::make_shared<int>(1);
  std::weak_ptr<int> watch = alive;
  ASSERT_TRUE(conn.set_application_context(std::unique_ptr<std::shared_ptr<int>>(
                                               new std::shared_ptr<int>(std::move(alive))))
                  .ok());
  EXPECT_FALSE(watch.expired());
  ASSERT_TRUE(conn.wipe().ok());
  EXPECT_TRUE(watch.expired());
  EXPECT_EQ(conn.application_context<std::string>(), nullptr);
}

TEST(AppContext, CallbacksReachItThroughTheConnection) {
  auto seen = std::make_shared<std::string>();
  auto b = Config::builder();
  ASSERT_TRUE(b.set_max_blinding_delay(seconds(0)).ok());
  ASSERT_TRUE(b.with_system_certs(false).ok());
  ASSERT_TRUE(b.trust_pem(read_file(data_path("ca-cert.pem"))).ok());
  ASSERT_TRUE(b.set_key_log_callback([seen](const Connection& c, std::string_view) {
                 if (const std::string* s = c.application_context<std::string>()) *seen = *s;
               }).ok());
  auto client = b.build();
  ASSERT_TRUE(client.ok());
  Pair p(*client, server_config("ecdsa-p256"));
  ASSERT_TRUE(p.client.set_application_context(std::string("request-42")).ok());
  ASSERT_FALSE(p.handshake());
  EXPECT_EQ(*seen, "request-42");
}

// --- waker ---

TEST(Waker, DeferredEarlyDataNeedsAWakerAndTheDecisionWakesIt) {
  auto b = Config::builder();
  ASSERT_TRUE(b.set_max_blinding_delay(seconds(0)).ok());
  ASSERT_TRUE(b.with_system_certs(false).ok());
  ASSERT_TRUE(b.load_pem(read_file(data_path("ecdsa-p256-cert.pem")),
                         read_file(data_path("ecdsa-p256-key.pem")))
                  .ok());
  const std::string key = "lifecycle early data ticket key";
  ASSERT_TRUE(b.add_session_ticket_key(std::vector<uint8_t>{'k'},
                                       std::vector<uint8_t>(key.begin(), key.end()))
                  .ok());
  ASSERT_TRUE(b.set_server_max_early_data_size(1024).ok());
  ASSERT_TRUE(b.set_early_data_callback([](Connection&, const OfferedEarlyData&) {
                 return EarlyDataDecision::Defer;
               }).ok());
  auto server = b.build();
  ASSERT_TRUE(server.ok());
  auto cb = Config::builder();
  ASSERT_TRUE(cb.set_max_blinding_delay(seconds(0)).ok());
  ASSERT_TRUE(cb.with_system_certs(false).ok());
  ASSERT_TRUE(cb.trust_pem(read_file(data_path("ca-cert.pem"))).ok());
  ASSERT_TRUE(cb.enable_session_tickets(true).ok());
  auto client = cb.build();
  ASSERT_TRUE(client.ok());

  std::vector<uint8_t> blob;
  {
    Pair first(*client, *server);
    ASSERT_FALSE(first.handshake());
    EXPECT_EQ(transfer(first.server, first.client, "ticket"), "ticket");
    blob.resize(*first.client.session_ticket_length());
    ASSERT_FALSE(blob.empty());
    ASSERT_TRUE(first.client.session_ticket(blob).ok());
  }
  Pair p(*client, *server);
  ASSERT_TRUE(p.client.set_session_ticket(blob).ok());
  ASSERT_TRUE(p.client.poll_send_early_data("zero-rtt").is_ready());
  EXPECT_EQ(p.server.waker(), nullptr);
  auto r = p.server.poll_negotiate();
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(err_of(r.error()), Err::MISSING_WAKER);
  EXPECT_EQ(r.error().kind(), ErrorKind::Usage);

  // Not fatal: with a waker the same call pends, and the decision wakes it.
  int woken = 0;
  ASSERT_TRUE(p.server.set_waker([&woken] { ++woken; }).ok());
  ASSERT_NE(p.server.waker(), nullptr);
  auto again = p.server.poll_negotiate();
  ASSERT_TRUE(again.is_pending());
  EXPECT_EQ(again.blocked(), Blocked::OnApplicationInput);
  EXPECT_EQ(woken, 0);
  ASSERT_TRUE(p.server.accept_early_data().ok());
  EXPECT_EQ(woken, 1);
  auto err = p.handshake();
  ASSERT_FALSE(err) << err->message();
  EXPECT_EQ(p.server.early_data_status(), EarlyDataStatus::Accepted);
  uint8_t buf[32];
  auto got = p.server.poll_recv(buf);
  ASSERT_TRUE(got.is_ready());
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buf), got.value()), "zero-rtt");

  ASSERT_TRUE(p.server.set_waker(nullptr).ok());
  EXPECT_EQ(p.server.waker(), nullptr);
}

// --- operator<< ---

TEST(Describe, OneLineWithModeHandshakeCipherVersionGroup) {
  Pair p(client_config(), server_config("ecdsa-p256"));
  std::ostringstream before;
  before << p.client;
  EXPECT_EQ(before.str(),
            "Connection { mode: Client, handshake_type: INITIAL, cipher_suite: "
            "TLS_NULL_WITH_NULL_NULL, version: none, group: NONE }");
  ASSERT_FALSE(p.handshake());
  std::ostringstream c, s;
  c << p.client;
  s << p.server;
  const std::string expected_tail =
      ", handshake_type: " + std::string(*p.client.handshake_type()) +
      ", cipher_suite: " + std::string(*p.client.cipher_suite()) +
      ", version: TLSv1.3, group: " + std::string(*p.client.selected_curve()) + " }";
  EXPECT_EQ(c.str(), "Connection { mode: Client" + expected_tail);
  EXPECT_EQ(s.str(), "Connection { mode: Server" + expected_tail);
  EXPECT_NE(c.str().find("NEGOTIATED|FULL_HANDSHAKE"), std::string::npos);
  EXPECT_NE(c.str().find("cipher_suite: TLS_"), std::string::npos);
  EXPECT_EQ(c.str().find('\n'), std::string::npos);
}

}  // namespace
}  // namespace snr::test
