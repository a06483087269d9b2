// Session resumption in selftalk: TLS 1.3 tickets (PSK-DHE), across suites, HelloRetryRequest
// and ticket-key rotation on a fake clock; stale, tampered and foreign tickets fall back to a
// full handshake; a bad binder is an alert.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <vector>

#include "pair.hpp"
#include "resume/session_state.hpp"

namespace snr::test {
namespace {

constexpr uint64_t kSec = 1'000'000'000ull;
constexpr uint64_t kStart = 1'800'000'000ull * kSec;  // 2027: inside the test certs' validity

const uint16_t kSchemes[] = {0x0403, 0x0503, 0x0804, 0x0805, 0x0809, 0x0401, 0x0807};

struct TestPolicy {
  std::vector<uint16_t> suites, groups;
  detail::PolicyData data;
  TestPolicy(std::vector<uint16_t> s, std::vector<uint16_t> g, Version min = Version::TLS13)
      : suites(std::move(s)), groups(std::move(g)) {
    data = detail::PolicyData{"resume-test", min, suites, kSchemes, groups, {}};
  }
  Policy policy() const { return Policy(&data); }
};

const TestPolicy kTls13({0x1301, 0x1302, 0x1303}, {0x001d, 0x0017, 0x0018});

std::vector<uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

// A shared fake wall clock for both sides.
struct Clock {
  std::shared_ptr<uint64_t> now = std::make_shared<uint64_t>(kStart);
  WallClock fn() const {
    auto n = now;
    return [n] { return *n; };
  }
  void advance(uint64_t ns) { *now += ns; }
};

// A server config builder with the test certificate, `policy` and the fake clock.
Config::Builder server_builder(const Clock& clock, const Policy& policy) {
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
  EXPECT_TRUE(b.with_system_certs(false).ok());
  EXPECT_TRUE(b.set_security_policy(policy).ok());
  EXPECT_TRUE(b.set_wall_clock(clock.fn()).ok());
  EXPECT_TRUE(b.load_pem(read_file(data_path("ecdsa-p256-cert.pem")),
                         read_file(data_path("ecdsa-p256-key.pem")))
                  .ok());
  return b;
}

Config ticket_server(const Clock& clock, const Policy& policy,
                     std::vector<std::string> key_names = {"key-one"}, uint16_t ticket_count = 1) {
  Config::Builder b = server_builder(clock, policy);
  for (const std::string& n : key_names) {
    std::string material = "material for " + n + " 0123456789abcdef";
    EXPECT_TRUE(b.add_session_ticket_key(bytes(n), bytes(material)).ok());
  }
  EXPECT_TRUE(b.set_initial_ticket_count(ticket_count).ok());
  auto c = b.build();
  EXPECT_TRUE(c.ok());
  return *c;
}

struct Tickets {
  std::vector<std::vector<uint8_t>> blobs;
  std::vector<std::chrono::seconds> lifetimes;
};

Config ticket_client(const Clock& clock, const Policy& policy,
                     std::shared_ptr<Tickets> seen = nullptr) {
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
  EXPECT_TRUE(b.with_system_certs(false).ok());
  EXPECT_TRUE(b.set_security_policy(policy).ok());
  EXPECT_TRUE(b.set_wall_clock(clock.fn()).ok());
  EXPECT_TRUE(b.trust_pem(read_file(data_path("ca-cert.pem"))).ok());
  if (seen) {
    EXPECT_TRUE(b.set_session_ticket_callback([seen](Connection&, const SessionTicket& t) {
                   seen->blobs.emplace_back(t.data.begin(), t.data.end());
                   seen->lifetimes.push_back(t.lifetime);
                 }).ok());
  } else {
    EXPECT_TRUE(b.enable_session_tickets(true).ok());
  }
  auto c = b.build();
  EXPECT_TRUE(c.ok());
  return *c;
}

// Runs a handshake, lets the client read the server's tickets, returns the newest blob.
std::vector<uint8_t> connect(Pair& p, bool expect_resumed) {
  auto err = p.handshake();
  EXPECT_FALSE(err) << err->name() << ": " << err->message();
  if (err) return {};
  EXPECT_EQ(p.client.resumed(), expect_resumed);
  EXPECT_EQ(p.server.resumed(), expect_resumed);
  EXPECT_EQ(transfer(p.server, p.client, "ping"), "ping");
  EXPECT_EQ(transfer(p.client, p.server, "pong"), "pong");
  auto len = p.client.session_ticket_length();
  EXPECT_TRUE(len.ok());
  std::vector<uint8_t> blob(*len);
  if (!blob.empty()) {
    EXPECT_TRUE(p.client.session_ticket(blob).ok());
  }
  return blob;
}

TEST(Resumption13, FullThenResumedForEverySuite) {
  for (uint16_t suite : {0x1301, 0x1302, 0x1303}) {
    SCOPED_TRACE(suite);
    Clock clock;
    TestPolicy policy({suite}, {0x001d});
    Config server = ticket_server(clock, policy.policy());
    auto seen = std::make_shared<Tickets>();
    Config client = ticket_client(clock, policy.policy(), seen);

    Pair first(client, server);
    std::vector<uint8_t> blob = connect(first, false);
    ASSERT_FALSE(blob.empty());
    EXPECT_TRUE(first.client.are_session_tickets_enabled());
    EXPECT_EQ(*first.client.handshake_type(), "NEGOTIATED|FULL_HANDSHAKE|MIDDLEBOX_COMPAT");
    ASSERT_EQ(seen->blobs.size(), 1u);
    EXPECT_EQ(seen->blobs[0], blob);
    EXPECT_GT(seen->lifetimes[0].count(), 0);

    clock.advance(10 * kSec);
    Pair second(client, server);
    ASSERT_TRUE(second.client.set_session_ticket(blob).ok());
    std::vector<uint8_t> blob2 = connect(second, true);
    for (Connection* c : {&second.client, &second.server}) {
      EXPECT_EQ(*c->handshake_type(), "NEGOTIATED|MIDDLEBOX_COMPAT");
      EXPECT_FALSE(c->signature_scheme().has_value());
      EXPECT_EQ(*c->selected_curve(), "x25519");  // psk_dhe_ke: forward secret
      EXPECT_FALSE(c->negotiated_psk_identity().empty());
    }
    // A resumed TLS 1.3 session gets a fresh ticket, which resumes in turn.
    ASSERT_FALSE(blob2.empty());
    EXPECT_NE(blob2, blob);
    Pair third(client, server);
    ASSERT_TRUE(third.client.set_session_ticket(blob2).ok());
    connect(third, true);
  }
}

TEST(Resumption13, SeveralTicketsPerHandshake) {
  Clock clock;
  Config server = ticket_server(clock, kTls13.policy(), {"k"}, 3);
  auto seen = std::make_shared<Tickets>();
  Pair p(ticket_client(clock, kTls13.policy(), seen), server);
  connect(p, false);
  ASSERT_EQ(seen->blobs.size(), 3u);
  EXPECT_NE(seen->blobs[0], seen->blobs[1]);
  // Each ticket resumes on its own.
  for (const auto& blob : seen->blobs) {
    Pair q(ticket_client(clock, kTls13.policy()), server);
    ASSERT_TRUE(q.client.set_session_ticket(blob).ok());
    connect(q, true);
  }
}

TEST(Resumption13, WithHelloRetryRequest) {
  Clock clock;
  TestPolicy server_policy({0x1301}, {0x0017});
  // The client's first share (x25519) is not acceptable: the server asks for secp256r1.
  TestPolicy client_policy({0x1301}, {0x001d, 0x0017});
  Config server = ticket_server(clock, server_policy.policy());
  Pair first(ticket_client(clock, client_policy.policy()), server);
  auto blob = connect(first, false);
  ASSERT_FALSE(blob.empty());
  Pair second(ticket_client(clock, client_policy.policy()), server);
  ASSERT_TRUE(second.client.set_session_ticket(blob).ok());
  connect(second, true);
  EXPECT_EQ(*second.server.handshake_type(), "NEGOTIATED|HELLO_RETRY_REQUEST|MIDDLEBOX_COMPAT");
}

TEST(Resumption13, SuiteWithOtherHashIsNotResumed) {
  Clock clock;
  TestPolicy p256({0x1301}, {0x001d}), p384({0x1302}, {0x001d});
  Config server = ticket_server(clock, kTls13.policy());
  Pair first(ticket_client(clock, p256.policy()), server);
  auto blob = connect(first, false);
  // The SHA-384 suite cannot carry a SHA-256 ticket (RFC 8446 4.6.1): full handshake.
  Pair second(ticket_client(clock, p384.policy()), server);
  ASSERT_TRUE(second.client.set_session_ticket(blob).ok());
  connect(second, false);
}

TEST(Resumption13, ExpiredTicketGivesFullHandshake) {
  Clock clock;
  Config server = ticket_server(clock, kTls13.policy());
  Config client = ticket_client(clock, kTls13.policy());
  Pair first(client, server);
  auto blob = connect(first, false);
  // Past the 15 h session-state lifetime (the key, 2 h + 13 h, has expired too).
  clock.advance(16 * 3600 * kSec);
  Pair second(client, server);
  ASSERT_TRUE(second.client.set_session_ticket(blob).ok());
  connect(second, false);
}

TEST(Resumption13, IssueTimeMayBeUpToAnHourAhead) {
  // Another server of the fleet (same ticket key) issued the ticket; this one's clock is behind.
  Clock issuer_clock, client_clock;
  Config issuer = ticket_server(issuer_clock, kTls13.policy());
  Config client = ticket_client(client_clock, kTls13.policy());
  Pair first(client, issuer);
  auto blob = connect(first, false);
  for (auto [behind, resumes] : {std::pair{30 * 60 * kSec, true}, {2 * 3600 * kSec, false}}) {
    Clock lagging;
    *lagging.now = kStart - behind;
    // The key must already exist on the lagging server's clock.
    Config::Builder b = server_builder(lagging, kTls13.policy());
    ASSERT_TRUE(
        b.add_session_ticket_key(
             bytes("key-one"), bytes("material for key-one 0123456789abcdef"),
             std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000 - 3 * 3600)))
            .ok());
    auto lagging_server = b.build();
    ASSERT_TRUE(lagging_server.ok());
    Pair p(client, *lagging_server);
    ASSERT_TRUE(p.client.set_session_ticket(blob).ok());
    SCOPED_TRACE(behind / kSec);
    connect(p, resumes);
  }
}

TEST(Resumption13, KeyRotationOnTheFakeClock) {
  Clock clock;
  Config::Builder b = server_builder(clock, kTls13.policy());
  ASSERT_TRUE(b.add_session_ticket_key(bytes("old"), bytes("old key material 0123456789")).ok());
  auto server = b.build();
  ASSERT_TRUE(server.ok());
  Config client = ticket_client(clock, kTls13.policy());

  Pair first(client, *server);
  auto old_blob = connect(first, false);
  ASSERT_FALSE(old_blob.empty());

  // 3 h later the old key only decrypts: no tickets until a new key is added...
  clock.advance(3 * 3600 * kSec);
  Pair second(client, *server);
  ASSERT_TRUE(second.client.set_session_ticket(old_blob).ok());
  auto none = connect(second, true);
  EXPECT_TRUE(none.empty());
  // ... and once one is (after build: the store is shared), tickets come from it.
  ASSERT_TRUE(
      server->add_session_ticket_key(bytes("new"), bytes("new key material 0123456789")).ok());
  Pair third(client, *server);
  ASSERT_TRUE(third.client.set_session_ticket(old_blob).ok());
  auto new_blob = connect(third, true);
  ASSERT_FALSE(new_blob.empty());

  // 13 h more: the old key is gone, the new one still decrypts.
  clock.advance(13 * 3600 * kSec);
  Pair fourth(client, *server);
  ASSERT_TRUE(fourth.client.set_session_ticket(old_blob).ok());
  connect(fourth, false);
  Pair fifth(client, *server);
  ASSERT_TRUE(fifth.client.set_session_ticket(new_blob).ok());
  connect(fifth, true);
}

TEST(Resumption13, TamperedAndForeignTicketsGiveFullHandshakes) {
  Clock clock;
  Config server = ticket_server(clock, kTls13.policy());
  Config client = ticket_client(clock, kTls13.policy());
  Pair first(client, server);
  auto blob = connect(first, false);
  auto session = resume::decode_client_session(blob);
  ASSERT_TRUE(session.ok());

  // Every byte of the ticket is authenticated.
  for (size_t i : {size_t{0}, size_t{20}, session->id.size() / 2, session->id.size() - 1}) {
    resume::ClientSession bad = *session;
    bad.id[i] ^= 0x01;
    Bytes bad_blob;
    ASSERT_TRUE(resume::encode_client_session(bad, bad_blob).ok());
    Pair p(client, server);
    ASSERT_TRUE(p.client.set_session_ticket(bad_blob).ok());
    connect(p, false);
  }
  // A server with other keys does not know the ticket.
  Pair other(client, ticket_server(clock, kTls13.policy(), {"another"}));
  ASSERT_TRUE(other.client.set_session_ticket(blob).ok());
  connect(other, false);
  // A server without tickets ignores the offer.
  Pair plain(client, server_config("ecdsa-p256", kTls13.policy()));
  ASSERT_TRUE(plain.client.set_session_ticket(blob).ok());
  auto err = plain.handshake();
  ASSERT_FALSE(err) << err->message();
  EXPECT_FALSE(plain.client.resumed());
}

TEST(Resumption13, WrongSecretFailsTheBinder) {
  Clock clock;
  Config server = ticket_server(clock, kTls13.policy());
  Config client = ticket_client(clock, kTls13.policy());
  Pair first(client, server);
  auto session = resume::decode_client_session(connect(first, false));
  ASSERT_TRUE(session.ok());
  Bytes bytes_copy(session->state.secret.view().begin(), session->state.secret.view().end());
  bytes_copy[0] ^= 0x80;
  session->state.secret = SecureBytes(ByteView(bytes_copy));
  Bytes bad;
  ASSERT_TRUE(resume::encode_client_session(*session, bad).ok());
  Pair p(client, server);
  ASSERT_TRUE(p.client.set_session_ticket(bad).ok());
  auto err = p.handshake();
  ASSERT_TRUE(err);
  EXPECT_EQ(err->name(), "S2N_ERR_BAD_PSK_BINDER");
  // RFC 8446 4.2.11: the server aborts; decrypt_error reaches the client.
  auto c = p.client.poll_negotiate();
  ASSERT_TRUE(c.is_error());
  EXPECT_EQ(c.error().kind(), ErrorKind::Alert);
  EXPECT_EQ(p.client.alert(), std::optional<uint8_t>(51));
}

TEST(Resumption13, GarbageBlobIsAUsageError) {
  Connection c = Connection::new_client();
  const uint8_t junk[] = {9, 9, 9, 9};
  auto s = c.set_session_ticket(junk);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind(), ErrorKind::Usage);
  EXPECT_EQ(s.error().name(), "S2N_ERR_INVALID_SERIALIZED_SESSION_STATE");
  Connection server = Connection::new_server();
  const uint8_t empty[] = {0};
  EXPECT_FALSE(server.set_session_ticket(empty).ok());
}

TEST(Resumption13, ClientWithoutTicketsSendsNoOfferAndIgnoresTickets) {
  Clock clock;
  Config server = ticket_server(clock, kTls13.policy());
  Pair p(client_config(kTls13.policy()), server);
  auto err = p.handshake();
  ASSERT_FALSE(err) << err->message();
  EXPECT_EQ(transfer(p.server, p.client, "x"), "x");
  EXPECT_EQ(*p.client.session_ticket_length(), 0u);
  EXPECT_FALSE(p.client.are_session_tickets_enabled());
}

// --- Early data (0-RTT) ---

Config early_server(const Clock& clock, uint32_t max_early, EarlyDataCallback cb = nullptr,
                    const Policy& policy = kTls13.policy()) {
  Config::Builder b = server_builder(clock, policy);
  EXPECT_TRUE(b.add_session_ticket_key(bytes("k"), bytes("early data ticket key 0123456")).ok());
  EXPECT_TRUE(b.set_server_max_early_data_size(max_early).ok());
  if (cb) {
    EXPECT_TRUE(b.set_early_data_callback(std::move(cb)).ok());
  }
  auto c = b.build();
  EXPECT_TRUE(c.ok());
  return *c;
}

// Client sends `early` as 0-RTT data; the server reads what arrives as early data. Returns
// the early data the server read before the handshake finished.
std::string zero_rtt(Pair& p, const std::string& early, bool expect_sent = true) {
  auto sent = p.client.poll_send_early_data(early);
  EXPECT_FALSE(sent.is_error()) << sent.error().message();
  if (expect_sent) {
    EXPECT_TRUE(sent.is_ready() && sent.value() == early.size());
  }
  std::string got;
  for (int i = 0; i < 100; ++i) {
    uint8_t buf[256];
    auto r = p.server.poll_recv_early_data(buf);
    if (r.is_error()) {
      ADD_FAILURE() << "recv_early_data: " << r.error().name() << " " << r.error().message();
      break;
    }
    if (r.is_ready() && r.value() == 0) break;
    if (r.is_ready()) got.append(reinterpret_cast<char*>(buf), r.value());
    if (r.is_pending()) {
      auto c = p.client.poll_negotiate();
      if (c.is_error()) break;
    }
  }
  return got;
}

TEST(EarlyData, AcceptedAndReadBeforeTheHandshakeEnds) {
  Clock clock;
  Config server = early_server(clock, 4096);
  Config client = ticket_client(clock, kTls13.policy());
  Pair first(client, server);
  auto blob = connect(first, false);
  EXPECT_EQ(first.client.early_data_status(), EarlyDataStatus::NotRequested);

  clock.advance(2 * kSec);
  Pair second(client, server);
  ASSERT_TRUE(second.client.set_session_ticket(blob).ok());
  const std::string request = "GET /early HTTP/1.1\r\n\r\n";
  EXPECT_EQ(zero_rtt(second, request), request);
  auto err = second.handshake();
  ASSERT_FALSE(err) << err->name() << ": " << err->message();
  for (Connection* c : {&second.client, &second.server}) {
    EXPECT_TRUE(c->resumed());
    EXPECT_EQ(c->early_data_status(), EarlyDataStatus::Accepted);
    EXPECT_EQ(*c->handshake_type(), "NEGOTIATED|MIDDLEBOX_COMPAT|WITH_EARLY_DATA|EARLY_CLIENT_CCS");
  }
  EXPECT_EQ(transfer(second.server, second.client, "reply"), "reply");
  EXPECT_EQ(transfer(second.client, second.server, "more"), "more");
}

TEST(EarlyData, UnreadEarlyDataComesFirstFromPollRecv) {
  Clock clock;
  Config server = early_server(clock, 4096);
  Config client = ticket_client(clock, kTls13.policy());
  Pair first(client, server);
  auto blob = connect(first, false);
  Pair second(client, server);
  ASSERT_TRUE(second.client.set_session_ticket(blob).ok());
  ASSERT_TRUE(second.client.poll_send_early_data("early:").is_ready());
  auto err = second.handshake();
  ASSERT_FALSE(err) << err->message();
  ASSERT_TRUE(second.client.poll_send("late").is_ready());
  EXPECT_EQ(transfer(second.client, second.server, ""), "");
  std::string got;
  for (int i = 0; i < 10 && got.size() < 10; ++i) {
    uint8_t buf[64];
    auto r = second.server.poll_recv(buf);
    if (r.is_ready()) got.append(reinterpret_cast<char*>(buf), r.value());
  }
  EXPECT_EQ(got, "early:late");
}

TEST(EarlyData, RejectedByTheCallbackIsSkipped) {
  Clock clock;
  int offers = 0;
  Config server = early_server(clock, 4096, [&](Connection&, const OfferedEarlyData& o) {
    ++offers;
    EXPECT_EQ(o.max_early_data, 4096u);
    return EarlyDataDecision::Reject;
  });
  Config client = ticket_client(clock, kTls13.policy());
  Pair first(client, server);
  auto blob = connect(first, false);
  Pair second(client, server);
  ASSERT_TRUE(second.client.set_session_ticket(blob).ok());
  EXPECT_EQ(zero_rtt(second, std::string(3000, 'e')), "");
  auto err = second.handshake();
  ASSERT_FALSE(err) << err->message();
  EXPECT_EQ(offers, 1);
  EXPECT_TRUE(second.client.resumed());
  for (Connection* c : {&second.client, &second.server})
    EXPECT_EQ(c->early_data_status(), EarlyDataStatus::Rejected);
  // The rejected bytes are gone; the connection carries new data normally.
  EXPECT_EQ(transfer(second.client, second.server, "resent"), "resent");
}

TEST(EarlyData, DeferredDecision) {
  Clock clock;
  Config server = early_server(
      clock, 4096, [](Connection&, const OfferedEarlyData&) { return EarlyDataDecision::Defer; });
  Config client = ticket_client(clock, kTls13.policy());
  Pair first(client, server);
  auto blob = connect(first, false);
  Pair second(client, server);
  ASSERT_TRUE(second.client.set_session_ticket(blob).ok());
  ASSERT_TRUE(second.client.poll_send_early_data("deferred").is_ready());
  ASSERT_TRUE(second.server.set_waker([] {}).ok());  // pending on a decision needs a waker
  auto s = second.server.poll_negotiate();
  ASSERT_TRUE(s.is_pending());
  EXPECT_EQ(s.blocked(), Blocked::OnApplicationInput);
  EXPECT_TRUE(second.server.poll_negotiate().is_pending());  // still waiting
  EXPECT_FALSE(second.client.accept_early_data().ok());      // nothing deferred on the client
  ASSERT_TRUE(second.server.accept_early_data().ok());
  EXPECT_FALSE(second.server.accept_early_data().ok());  // decided already
  auto err = second.handshake();
  ASSERT_FALSE(err) << err->message();
  EXPECT_EQ(second.server.early_data_status(), EarlyDataStatus::Accepted);
  uint8_t buf[32];
  auto r = second.server.poll_recv(buf);
  ASSERT_TRUE(r.is_ready());
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buf), r.value()), "deferred");
}

TEST(EarlyData, NotOfferedWhenTheTicketDoesNotAllowIt) {
  Clock clock;
  Config server = early_server(clock, 0);
  Config client = ticket_client(clock, kTls13.policy());
  Pair first(client, server);
  auto blob = connect(first, false);
  Pair second(client, server);
  ASSERT_TRUE(second.client.set_session_ticket(blob).ok());
  auto sent = second.client.poll_send_early_data("nope");
  ASSERT_TRUE(sent.is_ready());
  EXPECT_EQ(sent.value(), 0u);
  auto err = second.handshake();
  ASSERT_FALSE(err) << err->message();
  EXPECT_TRUE(second.client.resumed());
  EXPECT_EQ(second.client.early_data_status(), EarlyDataStatus::NotRequested);
}

TEST(EarlyData, MoreThanTheServerAllowsIsAnError) {
  Clock clock;
  Config server = early_server(clock, 4096);
  Config client = ticket_client(clock, kTls13.policy());
  Pair first(client, server);
  auto blob = connect(first, false);
  Pair second(client, server);
  // This connection takes only 100 bytes, while the ticket promised 4096.
  ASSERT_TRUE(second.server.set_server_max_early_data_size(100).ok());
  ASSERT_TRUE(second.client.set_session_ticket(blob).ok());
  ASSERT_TRUE(second.client.poll_send_early_data(std::string(2000, 'x')).is_ready());
  auto err = second.handshake();
  ASSERT_TRUE(err);
  EXPECT_EQ(err->name(), "S2N_ERR_MAX_EARLY_DATA_SIZE");
}

TEST(EarlyData, RejectedAfterHelloRetryRequest) {
  Clock clock;
  TestPolicy server_policy({0x1301}, {0x0017});
  TestPolicy client_policy({0x1301}, {0x001d, 0x0017});
  Config server = early_server(clock, 4096, nullptr, server_policy.policy());
  Config client = ticket_client(clock, client_policy.policy());
  Pair first(client, server);
  auto blob = connect(first, false);
  Pair second(client, server);
  ASSERT_TRUE(second.client.set_session_ticket(blob).ok());
  EXPECT_EQ(zero_rtt(second, std::string(500, 'h')), "");
  auto err = second.handshake();
  ASSERT_FALSE(err) << err->name() << ": " << err->message();
  EXPECT_TRUE(second.client.resumed());
  EXPECT_EQ(second.client.early_data_status(), EarlyDataStatus::Rejected);
  EXPECT_EQ(second.server.early_data_status(), EarlyDataStatus::Rejected);
  EXPECT_EQ(transfer(second.client, second.server, "after hrr"), "after hrr");
}

TEST(EarlyData, TicketAgeTooFarOffIsRejected) {
  Clock server_clock, client_clock;
  Config server = early_server(server_clock, 4096);
  Config client = ticket_client(client_clock, kTls13.policy());
  Pair first(client, server);
  auto blob = connect(first, false);
  // The client thinks 30 s more have passed than the server does (RFC 8446 8.3).
  client_clock.advance(31 * kSec);
  server_clock.advance(1 * kSec);
  Pair second(client, server);
  ASSERT_TRUE(second.client.set_session_ticket(blob).ok());
  EXPECT_EQ(zero_rtt(second, "replayed?"), "");
  auto err = second.handshake();
  ASSERT_FALSE(err) << err->message();
  EXPECT_EQ(second.server.early_data_status(), EarlyDataStatus::Rejected);
}

// --- External PSKs (TLS 1.3) ---

Psk make_psk(std::string_view identity, std::string_view secret, PskHmac hmac) {
  auto b = Psk::builder();
  EXPECT_TRUE(b.set_identity(bytes(identity)).ok());
  EXPECT_TRUE(b.set_secret(bytes(secret)).ok());
  EXPECT_TRUE(b.set_hmac(hmac).ok());
  auto p = b.build();
  EXPECT_TRUE(p.ok());
  return *p;
}

// A server config without any certificate: PSK-only.
Config psk_only_server(const Policy& policy) {
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
  EXPECT_TRUE(b.with_system_certs(false).ok());
  EXPECT_TRUE(b.set_security_policy(policy).ok());
  auto c = b.build();
  EXPECT_TRUE(c.ok());
  return *c;
}

TEST(ExternalPsk, HandshakeWithoutCertificates) {
  for (PskHmac hmac : {PskHmac::SHA256, PskHmac::SHA384}) {
    SCOPED_TRACE(static_cast<int>(hmac));
    Pair p(client_config(kTls13.policy()), psk_only_server(kTls13.policy()));
    const std::string secret = "a shared secret of enough length";
    ASSERT_TRUE(p.client.append_psk(make_psk("other", "not the one the server has", hmac)).ok());
    ASSERT_TRUE(p.client.append_psk(make_psk("the-id", secret, hmac)).ok());
    ASSERT_TRUE(p.server.append_psk(make_psk("the-id", secret, hmac)).ok());
    auto err = p.handshake();
    ASSERT_FALSE(err) << err->name() << ": " << err->message();
    for (Connection* c : {&p.client, &p.server}) {
      EXPECT_FALSE(c->resumed());
      EXPECT_EQ(*c->handshake_type(), "NEGOTIATED|MIDDLEBOX_COMPAT");
      EXPECT_EQ(
          std::string(c->negotiated_psk_identity().begin(), c->negotiated_psk_identity().end()),
          "the-id");
      EXPECT_EQ(*c->cipher_suite(),
                hmac == PskHmac::SHA384 ? "TLS_AES_256_GCM_SHA384" : "TLS_AES_128_GCM_SHA256");
    }
    EXPECT_EQ(transfer(p.client, p.server, "over a psk"), "over a psk");
    EXPECT_EQ(transfer(p.server, p.client, "and back"), "and back");
  }
}

TEST(ExternalPsk, WrongSecretIsABinderFailure) {
  Pair p(client_config(kTls13.policy()), psk_only_server(kTls13.policy()));
  ASSERT_TRUE(p.client.append_psk(make_psk("id", "0123456789abcdef-client", PskHmac::SHA256)).ok());
  ASSERT_TRUE(p.server.append_psk(make_psk("id", "0123456789abcdef-server", PskHmac::SHA256)).ok());
  auto err = p.handshake();
  ASSERT_TRUE(err);
  EXPECT_EQ(err->name(), "S2N_ERR_BAD_PSK_BINDER");
}

TEST(ExternalPsk, UnknownIdentityFallsBackToCertificates) {
  // The server has a certificate and another PSK: a full handshake.
  Pair p(client_config(kTls13.policy()), server_config("ecdsa-p256", kTls13.policy()));
  ASSERT_TRUE(p.client.append_psk(make_psk("id-a", "0123456789abcdef", PskHmac::SHA256)).ok());
  ASSERT_TRUE(p.server.append_psk(make_psk("id-b", "0123456789abcdef", PskHmac::SHA256)).ok());
  auto err = p.handshake();
  ASSERT_FALSE(err) << err->message();
  EXPECT_EQ(*p.client.handshake_type(), "NEGOTIATED|FULL_HANDSHAKE|MIDDLEBOX_COMPAT");
  EXPECT_TRUE(p.client.negotiated_psk_identity().empty());
  // Without a certificate there is nothing to fall back to.
  Pair q(client_config(kTls13.policy()), psk_only_server(kTls13.policy()));
  ASSERT_TRUE(q.client.append_psk(make_psk("id-a", "0123456789abcdef", PskHmac::SHA256)).ok());
  ASSERT_TRUE(q.server.append_psk(make_psk("id-b", "0123456789abcdef", PskHmac::SHA256)).ok());
  ASSERT_TRUE(q.handshake());
}

TEST(ExternalPsk, BuilderAndModeRules) {
  auto b = Psk::builder();
  EXPECT_FALSE(b.set_secret(bytes("too short")).ok());
  EXPECT_FALSE(b.set_identity({}).ok());
  EXPECT_FALSE(b.build().ok());  // nothing set
  auto c = Psk::builder();
  ASSERT_TRUE(c.set_identity(bytes("x")).ok());
  ASSERT_TRUE(c.set_secret(bytes("0123456789abcdef")).ok());
  EXPECT_FALSE(c.build().ok());  // no hmac
  Connection conn = Connection::new_client();
  Psk psk = make_psk("x", "0123456789abcdef", PskHmac::SHA256);
  ASSERT_TRUE(conn.append_psk(psk).ok());
  EXPECT_FALSE(conn.append_psk(psk).ok());  // same identity twice
  // External PSKs and resumption are exclusive.
  Clock clock;
  Config server = ticket_server(clock, kTls13.policy());
  Pair first(ticket_client(clock, kTls13.policy()), server);
  auto blob = connect(first, false);
  auto s = conn.set_session_ticket(blob);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().name(), "S2N_ERR_PSK_MODE");
}

// --- TLS 1.2: RFC 5077 tickets and abbreviated handshakes ---

TEST(Resumption12, FullThenResumedForSeveralSuites) {
  // AES-GCM, ChaCha20-Poly1305 and a CBC suite, ECDHE-ECDSA.
  for (uint16_t suite : {0xC02B, 0xCCA9, 0xC009}) {
    SCOPED_TRACE(suite);
    Clock clock;
    TestPolicy policy({suite}, {0x001d}, Version::TLS12);
    Config server = ticket_server(clock, policy.policy());
    auto seen = std::make_shared<Tickets>();
    Config client = ticket_client(clock, policy.policy(), seen);
    Pair first(client, server);
    auto blob = connect(first, false);
    ASSERT_FALSE(blob.empty());
    ASSERT_EQ(seen->blobs.size(), 1u);
    EXPECT_EQ(*first.client.actual_protocol_version(), Version::TLS12);
    for (Connection* c : {&first.client, &first.server})
      EXPECT_EQ(*c->handshake_type(),
                "NEGOTIATED|FULL_HANDSHAKE|TLS12_PERFECT_FORWARD_SECRECY|WITH_SESSION_TICKET");

    Pair second(client, server);
    ASSERT_TRUE(second.client.set_session_ticket(blob).ok());
    connect(second, true);
    for (Connection* c : {&second.client, &second.server}) {
      EXPECT_EQ(*c->handshake_type(), "NEGOTIATED");
      EXPECT_EQ(*c->actual_protocol_version(), Version::TLS12);
      // The resumed session keeps its master secret.
      EXPECT_EQ(*c->master_secret(), *first.client.master_secret());
    }
    // s2n's rule: a resumed TLS 1.2 session gets no new ticket.
    EXPECT_EQ(seen->blobs.size(), 1u);
  }
}

TEST(Resumption12, TamperedExpiredAndForeignTicketsGiveFullHandshakes) {
  Clock clock;
  TestPolicy policy({0xC02B}, {0x001d}, Version::TLS12);
  Config server = ticket_server(clock, policy.policy());
  Config client = ticket_client(clock, policy.policy());
  Pair first(client, server);
  auto blob = connect(first, false);
  auto session = resume::decode_client_session(blob);
  ASSERT_TRUE(session.ok());
  resume::ClientSession bad = *session;
  bad.id[bad.id.size() / 2] ^= 0x20;
  Bytes bad_blob;
  ASSERT_TRUE(resume::encode_client_session(bad, bad_blob).ok());
  Pair tampered(client, server);
  ASSERT_TRUE(tampered.client.set_session_ticket(bad_blob).ok());
  connect(tampered, false);

  Pair foreign(client, ticket_server(clock, policy.policy(), {"another"}));
  ASSERT_TRUE(foreign.client.set_session_ticket(blob).ok());
  connect(foreign, false);

  clock.advance(16 * 3600 * kSec);
  Pair expired(client, server);
  ASSERT_TRUE(expired.client.set_session_ticket(blob).ok());
  connect(expired, false);
}

// The application's session-ID cache (s2n's store / retrieve / delete callbacks).
struct MapCache {
  std::map<std::vector<uint8_t>, std::vector<uint8_t>> entries;
  int stores = 0, hits = 0, removes = 0;
  SessionCache callbacks() {
    SessionCache c;
    c.store = [this](std::span<const uint8_t> k, std::span<const uint8_t> v,
                     std::chrono::seconds ttl) {
      EXPECT_EQ(ttl.count(), 6 * 3600);
      entries[{k.begin(), k.end()}] = {v.begin(), v.end()};
      ++stores;
    };
    c.retrieve = [this](std::span<const uint8_t> k) -> std::optional<std::vector<uint8_t>> {
      auto it = entries.find({k.begin(), k.end()});
      if (it == entries.end()) return std::nullopt;
      ++hits;
      return it->second;
    };
    c.remove = [this](std::span<const uint8_t> k) {
      ++removes;
      entries.erase({k.begin(), k.end()});
    };
    return c;
  }
};

Config cache_server(const Clock& clock, const Policy& policy, MapCache& cache) {
  Config::Builder b = server_builder(clock, policy);
  EXPECT_TRUE(b.set_session_cache(cache.callbacks()).ok());
  auto c = b.build();
  EXPECT_TRUE(c.ok());
  return *c;
}

TEST(Resumption12, SessionIdCache) {
  Clock clock;
  TestPolicy policy({0xC02B}, {0x001d}, Version::TLS12);
  MapCache cache;
  Config server = cache_server(clock, policy.policy(), cache);
  // A client without tickets: the server caches the session under its session id.
  Config client = client_config(policy.policy());
  Pair first(client, server);
  auto blob = connect(first, false);
  ASSERT_FALSE(blob.empty());
  EXPECT_EQ(cache.stores, 1);
  auto session = resume::decode_client_session(blob);
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(session->kind, resume::ClientSession::Kind::SessionId);

  Pair second(client, server);
  ASSERT_TRUE(second.client.set_session_ticket(blob).ok());
  connect(second, true);
  EXPECT_EQ(cache.hits, 1);
  EXPECT_EQ(*second.server.handshake_type(), "NEGOTIATED");
  EXPECT_EQ(*second.server.master_secret(), *first.server.master_secret());

  // A session the cache no longer holds: a full handshake.
  cache.entries.clear();
  Pair third(client, server);
  ASSERT_TRUE(third.client.set_session_ticket(blob).ok());
  connect(third, false);
}

TEST(Resumption12, FailedConnectionLeavesTheCache) {
  Clock clock;
  TestPolicy policy({0xC02B}, {0x001d}, Version::TLS12);
  MapCache cache;
  Config server = cache_server(clock, policy.policy(), cache);
  Config client = client_config(policy.policy());
  Pair first(client, server);
  auto blob = connect(first, false);
  ASSERT_EQ(cache.entries.size(), 1u);
  // The resumed connection fails (a corrupted record): s2n deletes the cache entry.
  Pair second(client, server);
  ASSERT_TRUE(second.client.set_session_ticket(blob).ok());
  ASSERT_FALSE(second.handshake());
  ASSERT_TRUE(second.server.resumed());
  ASSERT_TRUE(second.client.poll_send("data").is_ready());
  ASSERT_FALSE(second.c2s.bytes.empty());
  second.c2s.bytes.back() ^= 0x01;
  uint8_t buf[16];
  auto r = second.server.poll_recv(buf);
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(cache.removes, 1);
  EXPECT_TRUE(cache.entries.empty());
}

TEST(Resumption12, ForwardSecrecyRequiredMeansNoTls12Tickets) {
  Clock clock;
  TestPolicy policy({0xC02B}, {0x001d}, Version::TLS12);
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
  ASSERT_TRUE(b.with_system_certs(false).ok());
  ASSERT_TRUE(b.set_security_policy(policy.policy()).ok());
  ASSERT_TRUE(b.set_wall_clock(clock.fn()).ok());
  ASSERT_TRUE(b.trust_pem(read_file(data_path("ca-cert.pem"))).ok());
  ASSERT_TRUE(b.enable_session_tickets(true).ok());
  ASSERT_TRUE(b.require_ticket_forward_secrecy(true).ok());
  auto fs_client = b.build();
  ASSERT_TRUE(fs_client.ok());
  Pair p(*fs_client, ticket_server(clock, policy.policy()));
  auto blob = connect(p, false);
  EXPECT_TRUE(blob.empty());
  EXPECT_EQ(*p.server.handshake_type(), "NEGOTIATED|FULL_HANDSHAKE|TLS12_PERFECT_FORWARD_SECRECY");
}

TEST(Resumption12, Tls12SessionIsNotOfferedToTls13) {
  // A TLS 1.2 session blob on a client that then negotiates TLS 1.3 gives a full handshake.
  Clock clock;
  TestPolicy p12({0xC02B}, {0x001d}, Version::TLS12);
  TestPolicy both({0x1301, 0xC02B}, {0x001d}, Version::TLS12);
  Pair first(ticket_client(clock, p12.policy()), ticket_server(clock, both.policy()));
  auto blob = connect(first, false);
  ASSERT_FALSE(blob.empty());
  Pair second(ticket_client(clock, both.policy()), ticket_server(clock, both.policy()));
  ASSERT_TRUE(second.client.set_session_ticket(blob).ok());
  connect(second, false);
  EXPECT_EQ(*second.client.actual_protocol_version(), Version::TLS13);
}

}  // namespace
}  // namespace snr::test
