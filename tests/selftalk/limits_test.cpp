// Resource limits and bounded peer behaviour (issue #7): handshake message size, certificate
// chain length, extension count, and the counted events (empty records, warning alerts,
// KeyUpdates, NewSessionTickets, HelloRequests) that a peer may not repeat without sending
// application data. Each refusal is checked on the victim (the error) and on the wire (the
// alert its peer reads). Records are injected through the peer's record layer, which writes
// them protected with its current key.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/connection_state.hpp"
#include "msg/types.hpp"
#include "pair.hpp"
#include "record/record_layer.hpp"
#include "util/alerts.hpp"

namespace snr::test {
namespace {

using msg::ContentType;
using Tweak = std::function<void(Config::Builder&)>;

Config build(Config::Builder& b) {
  auto c = b.build();
  if (!c.ok()) throw std::runtime_error("build: " + c.error().message());
  return *c;
}

Config server_with(const std::string& chain_pem, const std::string& key_pem,
                   const Tweak& tweak = {}, const Policy& policy = Policy::DEFAULT) {
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
  EXPECT_TRUE(b.with_system_certs(false).ok());
  EXPECT_TRUE(b.set_security_policy(policy).ok());
  EXPECT_TRUE(b.load_pem(chain_pem, key_pem).ok());
  if (tweak) tweak(b);
  return build(b);
}

Config server(const Tweak& tweak = {}, const Policy& policy = Policy::DEFAULT) {
  return server_with(read_file(data_path("ecdsa-p256-cert.pem")),
                     read_file(data_path("ecdsa-p256-key.pem")), tweak, policy);
}

Config client(const Tweak& tweak = {}, const Policy& policy = Policy::DEFAULT) {
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
  EXPECT_TRUE(b.with_system_certs(false).ok());
  EXPECT_TRUE(b.set_security_policy(policy).ok());
  EXPECT_TRUE(b.trust_pem(read_file(data_path("ca-cert.pem"))).ok());
  if (tweak) tweak(b);
  return build(b);
}

// A finished handshake at `version` (the client capped there), or nullptr.
std::unique_ptr<Pair> connect(Config c, Config s, Version version = Version::TLS13) {
  auto p = std::make_unique<Pair>(std::move(c), std::move(s));
  p->client.state().test_max_version = version;
  auto err = p->handshake();
  EXPECT_FALSE(err) << err->name() << ": " << err->message();
  if (err) return nullptr;
  EXPECT_EQ(*p->client.actual_protocol_version(), version);
  return p;
}

// Writes one record of `type` from `from` (protected with its current write key) and sends it.
void inject(Connection& from, ContentType type, const Bytes& body) {
  detail::ConnectionState& cs = from.state();
  ASSERT_TRUE(cs.rl.write(type, body).ok());
  ASSERT_TRUE(cs.flush().is_ready());
}

// A TLS 1.3 KeyUpdate (update_not_requested, so no answer), then the sender's new key.
void inject_key_update(Connection& from) {
  inject(from, ContentType::handshake, {24, 0, 0, 1, 0});
  ASSERT_TRUE(from.state().rl.write_protection()->update().ok());
}

// A well-formed NewSessionTicket: lifetime 3600, no nonce, a one-byte ticket, no extensions.
const Bytes kTicket = {4, 0, 0, 14, 0, 0, 0x0e, 0x10, 0, 0, 0, 0, 0, 0, 1, 0xaa, 0, 0};
const Bytes kHelloRequest = {0, 0, 0, 0};

// Reads on `conn` until it blocks, fails or reaches EOF; what arrived goes to `got`.
Poll<size_t> read_all(Connection& conn, std::string& got) {
  Poll<size_t> r = size_t{0};
  for (int i = 0; i < 1000; ++i) {
    uint8_t buf[4096];
    r = conn.poll_recv(buf);
    if (!r.is_ready() || r.value() == 0) return r;
    got.append(reinterpret_cast<const char*>(buf), r.value());
  }
  return r;
}

// Sends `data` from `from` and expects exactly it to arrive at `to`, which then blocks.
void expect_data(Connection& from, Connection& to, const std::string& data) {
  auto s = from.poll_send(data);
  ASSERT_TRUE(s.is_ready()) << (s.is_error() ? s.error().message() : "pending");
  ASSERT_EQ(s.value(), data.size());
  std::string got;
  auto r = read_all(to, got);
  EXPECT_TRUE(r.is_pending()) << (r.is_error() ? r.error().name() : "ready");
  EXPECT_EQ(got, data);
}

// `victim` fails reading with `name`; its peer then reads `alert` (and nothing else).
void expect_refused(Connection& victim, Connection& peer, std::string_view name, uint8_t alert) {
  std::string got;
  auto r = read_all(victim, got);
  ASSERT_TRUE(r.is_error()) << "the victim did not fail";
  EXPECT_EQ(r.error().name(), name) << r.error().message();
  EXPECT_EQ(r.error().alert(), alert);
  std::string peer_got;
  auto a = read_all(peer, peer_got);
  ASSERT_TRUE(a.is_error()) << "the peer did not see an alert";
  EXPECT_EQ(a.error().kind(), ErrorKind::Alert) << a.error().name();
  EXPECT_EQ(a.error().alert(), alert);
  EXPECT_EQ(peer.alert(), alert);
  EXPECT_TRUE(peer_got.empty());
}

Bytes drain(Pipe& p) {
  Bytes b(p.bytes.begin(), p.bytes.end());
  p.bytes.clear();
  return b;
}

// The description of the last plaintext alert record in `stream`.
std::optional<uint8_t> plaintext_alert(ByteView stream) {
  std::optional<uint8_t> last;
  size_t pos = 0;
  while (pos + 5 <= stream.size()) {
    const size_t len = (size_t{stream[pos + 3]} << 8) | stream[pos + 4];
    if (stream[pos] == 21 && len == 2 && pos + 7 <= stream.size()) last = stream[pos + 6];
    pos += 5 + len;
  }
  return last;
}

// --- handshake message size ---

TEST(LimitsHandshakeMessage, BuilderBounds) {
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
  EXPECT_FALSE(b.set_max_handshake_message_size(0).ok());
  EXPECT_FALSE(b.set_max_handshake_message_size(4095).ok());
  EXPECT_FALSE(b.set_max_handshake_message_size(16 * 1024 * 1024 + 1).ok());
  EXPECT_TRUE(b.set_max_handshake_message_size(4096).ok());
  EXPECT_TRUE(b.set_max_handshake_message_size(16 * 1024 * 1024).ok());
  auto c = b.build();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->data().limits.max_handshake_message, 16u * 1024 * 1024);
  EXPECT_EQ(Config::builder().build()->data().limits.max_handshake_message, 64u * 1024);
}

// leaf + 9 copies of the intermediate: a Certificate message of about 4.6 KB.
std::string long_chain() {
  std::string pem = read_file(data_path("int-leaf-cert.pem"));
  for (int i = 0; i < 9; ++i) pem += read_file(data_path("int-cert.pem"));
  return pem;
}

TEST(LimitsHandshakeMessage, ClientRefusesACertificateOverItsLimit) {
  for (Version v : {Version::TLS13, Version::TLS12}) {
    SCOPED_TRACE(to_string(v));
    Pair p(client([](Config::Builder& b) {
             ASSERT_TRUE(b.set_max_handshake_message_size(4096).ok());
           }),
           server_with(long_chain(), read_file(data_path("int-leaf-key.pem"))));
    p.client.state().test_max_version = v;
    auto err = p.handshake();
    ASSERT_TRUE(err);
    EXPECT_EQ(err->name(), "S2N_ERR_MAX_HANDSHAKE_MESSAGE_SIZE");
    EXPECT_EQ(err->alert(), alert::handshake_failure);
    // The server reads the alert (encrypted in TLS 1.3, plaintext in TLS 1.2).
    auto s = p.server.poll_negotiate();
    ASSERT_TRUE(s.is_error());
    EXPECT_EQ(s.error().kind(), ErrorKind::Alert) << s.error().name();
    EXPECT_EQ(s.error().alert(), alert::handshake_failure);
  }
}

TEST(LimitsHandshakeMessage, DefaultAcceptsTheSameCertificate) {
  for (Version v : {Version::TLS13, Version::TLS12}) {
    SCOPED_TRACE(to_string(v));
    // The sent chain has 10 certificates: over the default depth of 7, not over 64 KiB.
    auto p = connect(
        client([](Config::Builder& b) { ASSERT_TRUE(b.set_max_cert_chain_depth(10).ok()); }),
        server_with(long_chain(), read_file(data_path("int-leaf-key.pem"))), v);
    ASSERT_TRUE(p);
    expect_data(p->client, p->server, "fits");
  }
}

TEST(LimitsHandshakeMessage, SmallestLimitStillHandshakes) {
  auto small = [](Config::Builder& b) { ASSERT_TRUE(b.set_max_handshake_message_size(4096).ok()); };
  auto p = connect(client(small), server(small));
  ASSERT_TRUE(p);
  expect_data(p->server, p->client, "ok");
}

// A server fed only a ClientHello header: the claimed length alone decides.
struct HeaderOnly {
  Pipe in, out;
  Connection conn = Connection::new_server();
  HeaderOnly(uint32_t limit, uint32_t claimed) {
    (void)conn.set_config(server(
        [&](Config::Builder& b) { ASSERT_TRUE(b.set_max_handshake_message_size(limit).ok()); }));
    (void)conn.set_send_callback([this](const uint8_t* b, uint32_t n) { return out.write(b, n); });
    (void)conn.set_receive_callback([this](uint8_t* b, uint32_t n) { return in.read(b, n); });
    // A record of just the message header: the rest would follow in later records.
    in.bytes = {22,
                3,
                3,
                0,
                4,
                1,
                static_cast<uint8_t>(claimed >> 16),
                static_cast<uint8_t>(claimed >> 8),
                static_cast<uint8_t>(claimed)};
  }
};

TEST(LimitsHandshakeMessage, ServerRefusesALengthOverItsLimitBeforeTheBytes) {
  HeaderOnly over(4096, 4097);
  auto r = over.conn.poll_negotiate();
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().name(), "S2N_ERR_MAX_HANDSHAKE_MESSAGE_SIZE");
  EXPECT_EQ(plaintext_alert(drain(over.out)), alert::handshake_failure);

  // At the limit the server waits for the rest.
  HeaderOnly at(4096, 4096);
  EXPECT_TRUE(at.conn.poll_negotiate().is_pending());
  EXPECT_TRUE(at.out.bytes.empty());
  HeaderOnly raised(8192, 4097);
  EXPECT_TRUE(raised.conn.poll_negotiate().is_pending());
}

// --- certificate chain length ---

Config intermediate_server() {
  return server_with(read_file(data_path("int-leaf-chain.pem")),
                     read_file(data_path("int-leaf-key.pem")));
}

TEST(LimitsCertChain, BuilderBoundsAndDefault) {
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
  EXPECT_FALSE(b.set_max_cert_chain_length(0).ok());
  EXPECT_TRUE(b.set_max_cert_chain_length(1).ok());
  EXPECT_EQ(Config::builder().build()->data().limits.max_cert_chain_length, 16u);
}

TEST(LimitsCertChain, LongerChainIsRefused) {
  for (Version v : {Version::TLS13, Version::TLS12}) {
    for (bool verify : {true, false}) {
      SCOPED_TRACE(std::string(to_string(v)) + (verify ? " verified" : " unverified"));
      Pair p(client([&](Config::Builder& b) {
               ASSERT_TRUE(b.set_max_cert_chain_length(1).ok());
               if (!verify) {
                 ASSERT_TRUE(b.disable_x509_verification().ok());
               }
             }),
             intermediate_server());
      p.client.state().test_max_version = v;
      auto err = p.handshake();
      ASSERT_TRUE(err);
      EXPECT_EQ(err->name(), "S2N_ERR_CERT_MAX_CHAIN_DEPTH_EXCEEDED");
      EXPECT_EQ(err->alert(), alert::bad_certificate);
      auto s = p.server.poll_negotiate();
      ASSERT_TRUE(s.is_error());
      EXPECT_EQ(s.error().kind(), ErrorKind::Alert) << s.error().name();
      EXPECT_EQ(s.error().alert(), alert::bad_certificate);
    }
  }
}

TEST(LimitsCertChain, ChainAtTheLimitIsAccepted) {
  for (Version v : {Version::TLS13, Version::TLS12}) {
    SCOPED_TRACE(to_string(v));
    auto p = connect(
        client([](Config::Builder& b) { ASSERT_TRUE(b.set_max_cert_chain_length(2).ok()); }),
        intermediate_server(), v);
    ASSERT_TRUE(p);
  }
}

// --- extension count ---

TEST(LimitsExtensions, ClientHelloWith129ExtensionsIsADecodeError) {
  auto hello = [](size_t n_ext) {
    Bytes exts;
    for (size_t i = 0; i < n_ext; ++i) {
      const uint16_t type = static_cast<uint16_t>(0x1000 + i);
      exts.insert(exts.end(), {static_cast<uint8_t>(type >> 8), static_cast<uint8_t>(type), 0, 0});
    }
    Bytes body = {3, 3};
    body.insert(body.end(), 32, 0x11);               // random
    body.insert(body.end(), {0, 0, 2, 0x13, 0x01});  // session id, suites
    body.insert(body.end(), {1, 0});                 // compression
    body.push_back(static_cast<uint8_t>(exts.size() >> 8));
    body.push_back(static_cast<uint8_t>(exts.size()));
    body.insert(body.end(), exts.begin(), exts.end());
    Bytes rec = {22,
                 3,
                 1,
                 static_cast<uint8_t>((body.size() + 4) >> 8),
                 static_cast<uint8_t>(body.size() + 4),
                 1,
                 0,
                 static_cast<uint8_t>(body.size() >> 8),
                 static_cast<uint8_t>(body.size())};
    rec.insert(rec.end(), body.begin(), body.end());
    return rec;
  };
  auto run = [](const Bytes& rec) {
    Pipe in, out;
    Connection conn = Connection::new_server();
    (void)conn.set_config(server());
    (void)conn.set_send_callback([&](const uint8_t* b, uint32_t n) { return out.write(b, n); });
    (void)conn.set_receive_callback([&](uint8_t* b, uint32_t n) { return in.read(b, n); });
    in.bytes.assign(rec.begin(), rec.end());
    auto r = conn.poll_negotiate();
    return std::make_pair(r.is_error() ? std::string(r.error().name()) : std::string(),
                          plaintext_alert(drain(out)));
  };
  auto [err, alert_sent] = run(hello(129));
  EXPECT_EQ(err, "S2N_ERR_DECODE");
  EXPECT_EQ(alert_sent, alert::decode_error);
  // 128 unknown extensions parse; the hello then fails for what it lacks, not for the count.
  auto [err128, alert128] = run(hello(128));
  EXPECT_NE(err128, "S2N_ERR_DECODE");
}

// --- counted events ---

TEST(LimitsCounters, BuilderDefaults) {
  auto c = Config::builder().build();
  ASSERT_TRUE(c.ok());
  const detail::Limits& l = c->data().limits;
  EXPECT_EQ(l.max_empty_records, 32u);
  EXPECT_EQ(l.max_warning_alerts, 16u);
  EXPECT_EQ(l.max_key_updates, 32u);
  EXPECT_EQ(l.max_session_tickets, 32u);
  EXPECT_EQ(l.max_hello_requests, 16u);
  EXPECT_EQ(c->data().alert_behavior, AlertBehavior::FailOnWarnings);
}

TEST(LimitsCounters, EmptyRecords) {
  for (Version v : {Version::TLS13, Version::TLS12}) {
    SCOPED_TRACE(to_string(v));
    auto p = connect(
        client(), server([](Config::Builder& b) { ASSERT_TRUE(b.set_max_empty_records(3).ok()); }),
        v);
    ASSERT_TRUE(p);
    for (int i = 0; i < 3; ++i) inject(p->client, ContentType::application_data, {});
    expect_data(p->client, p->server, "data restarts the count");
    for (int i = 0; i < 4; ++i) inject(p->client, ContentType::application_data, {});
    expect_refused(p->server, p->client, "S2N_ERR_TOO_MANY_EMPTY_RECORDS",
                   alert::unexpected_message);
  }
}

TEST(LimitsCounters, EmptyRecordsDefault) {
  auto p = connect(client(), server());
  ASSERT_TRUE(p);
  for (int i = 0; i < 32; ++i) inject(p->server, ContentType::application_data, {});
  expect_data(p->server, p->client, "x");
  for (int i = 0; i < 33; ++i) inject(p->server, ContentType::application_data, {});
  expect_refused(p->client, p->server, "S2N_ERR_TOO_MANY_EMPTY_RECORDS", alert::unexpected_message);
}

TEST(LimitsCounters, KeyUpdates) {
  auto p = connect(client(),
                   server([](Config::Builder& b) { ASSERT_TRUE(b.set_max_key_updates(4).ok()); }));
  ASSERT_TRUE(p);
  for (int i = 0; i < 4; ++i) inject_key_update(p->client);
  expect_data(p->client, p->server, "after four updates");
  for (int i = 0; i < 5; ++i) inject_key_update(p->client);
  expect_refused(p->server, p->client, "S2N_ERR_TOO_MANY_KEY_UPDATES", alert::unexpected_message);
}

TEST(LimitsCounters, KeyUpdatesDefault) {
  auto p = connect(client(), server());
  ASSERT_TRUE(p);
  for (int i = 0; i < 32; ++i) inject_key_update(p->server);
  expect_data(p->server, p->client, "x");
  for (int i = 0; i < 33; ++i) inject_key_update(p->server);
  expect_refused(p->client, p->server, "S2N_ERR_TOO_MANY_KEY_UPDATES", alert::unexpected_message);
}

TEST(LimitsCounters, SessionTickets) {
  auto p = connect(
      client([](Config::Builder& b) { ASSERT_TRUE(b.set_max_session_tickets(2).ok()); }), server());
  ASSERT_TRUE(p);
  for (int i = 0; i < 2; ++i) inject(p->server, ContentType::handshake, kTicket);
  expect_data(p->server, p->client, "after two tickets");
  // Three tickets in one record count one by one.
  Bytes three;
  for (int i = 0; i < 3; ++i) three.insert(three.end(), kTicket.begin(), kTicket.end());
  inject(p->server, ContentType::handshake, three);
  expect_refused(p->client, p->server, "S2N_ERR_TOO_MANY_SESSION_TICKETS",
                 alert::unexpected_message);
}

TEST(LimitsCounters, SessionTicketsDefault) {
  auto p = connect(client(), server());
  ASSERT_TRUE(p);
  for (int i = 0; i < 32; ++i) inject(p->server, ContentType::handshake, kTicket);
  expect_data(p->server, p->client, "x");
  for (int i = 0; i < 33; ++i) inject(p->server, ContentType::handshake, kTicket);
  expect_refused(p->client, p->server, "S2N_ERR_TOO_MANY_SESSION_TICKETS",
                 alert::unexpected_message);
}

TEST(LimitsCounters, HelloRequestsAreIgnoredUpToTheLimit) {
  auto p =
      connect(client([](Config::Builder& b) { ASSERT_TRUE(b.set_max_hello_requests(3).ok()); }),
              server(), Version::TLS12);
  ASSERT_TRUE(p);
  for (int i = 0; i < 3; ++i) inject(p->server, ContentType::handshake, kHelloRequest);
  expect_data(p->server, p->client, "still here");
  // Nothing was sent back (no renegotiation, no warning).
  EXPECT_TRUE(p->c2s.bytes.empty());
  expect_data(p->client, p->server, "and both ways");
  for (int i = 0; i < 4; ++i) inject(p->server, ContentType::handshake, kHelloRequest);
  expect_refused(p->client, p->server, "S2N_ERR_TOO_MANY_HELLO_REQUESTS",
                 alert::unexpected_message);
}

TEST(LimitsCounters, HelloRequestsDefault) {
  auto p = connect(client(), server(), Version::TLS12);
  ASSERT_TRUE(p);
  for (int i = 0; i < 16; ++i) inject(p->server, ContentType::handshake, kHelloRequest);
  expect_data(p->server, p->client, "x");
  for (int i = 0; i < 17; ++i) inject(p->server, ContentType::handshake, kHelloRequest);
  expect_refused(p->client, p->server, "S2N_ERR_TOO_MANY_HELLO_REQUESTS",
                 alert::unexpected_message);
}

TEST(LimitsCounters, MalformedOrMisplacedHelloRequest) {
  {
    auto p = connect(client(), server(), Version::TLS12);
    ASSERT_TRUE(p);
    inject(p->server, ContentType::handshake, {0, 0, 0, 1, 0});
    expect_refused(p->client, p->server, "S2N_ERR_DECODE", alert::decode_error);
  }
  {
    // TLS 1.3 has no HelloRequest.
    auto p = connect(client(), server());
    ASSERT_TRUE(p);
    inject(p->server, ContentType::handshake, kHelloRequest);
    expect_refused(p->client, p->server, "S2N_ERR_UNEXPECTED_MESSAGE", alert::unexpected_message);
  }
  {
    // A server never receives one.
    auto p = connect(client(), server(), Version::TLS12);
    ASSERT_TRUE(p);
    inject(p->client, ContentType::handshake, kHelloRequest);
    expect_refused(p->server, p->client, "S2N_ERR_UNEXPECTED_MESSAGE", alert::unexpected_message);
  }
}

// A ClientHello as a real client writes it (the record's body).
Bytes real_client_hello() {
  Pair p(client(), server());
  (void)p.client.poll_negotiate();
  Bytes rec = drain(p.c2s);
  return Bytes(rec.begin() + 5, rec.end());
}

TEST(LimitsRenegotiation, Tls12ServerRefusesWithNoRenegotiation) {
  auto p = connect(client(), server(), Version::TLS12);
  ASSERT_TRUE(p);
  inject(p->client, ContentType::handshake, real_client_hello());
  expect_refused(p->server, p->client, "S2N_ERR_NO_RENEGOTIATION", alert::no_renegotiation);
}

TEST(LimitsRenegotiation, Tls13ServerRefusesAClientHelloAsUnexpected) {
  auto p = connect(client(), server());
  ASSERT_TRUE(p);
  inject(p->client, ContentType::handshake, real_client_hello());
  expect_refused(p->server, p->client, "S2N_ERR_UNEXPECTED_MESSAGE", alert::unexpected_message);
}

// --- warning alerts (TLS 1.2) ---

const Bytes kWarning = {1, alert::no_renegotiation};

Tweak ignore_warnings(uint16_t max) {
  return [max](Config::Builder& b) {
    ASSERT_TRUE(b.set_alert_behavior(AlertBehavior::IgnoreWarnings).ok());
    ASSERT_TRUE(b.set_max_warning_alerts(max).ok());
  };
}

TEST(LimitsWarnings, FailOnWarningsByDefault) {
  auto p = connect(client(), server(), Version::TLS12);
  ASSERT_TRUE(p);
  inject(p->client, ContentType::alert, kWarning);
  std::string got;
  auto r = read_all(p->server, got);
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().kind(), ErrorKind::Alert);
  EXPECT_EQ(r.error().alert(), alert::no_renegotiation);
}

TEST(LimitsWarnings, IgnoredUpToTheLimit) {
  auto p = connect(client(), server(ignore_warnings(3)), Version::TLS12);
  ASSERT_TRUE(p);
  for (int i = 0; i < 3; ++i) inject(p->client, ContentType::alert, kWarning);
  expect_data(p->client, p->server, "warned");
  for (int i = 0; i < 4; ++i) inject(p->client, ContentType::alert, kWarning);
  expect_refused(p->server, p->client, "S2N_ERR_TOO_MANY_WARNING_ALERTS",
                 alert::unexpected_message);
}

TEST(LimitsWarnings, FatalAlertsStayFatalWhenIgnoringWarnings) {
  auto p = connect(client(), server(ignore_warnings(16)), Version::TLS12);
  ASSERT_TRUE(p);
  inject(p->client, ContentType::alert, {2, alert::handshake_failure});
  std::string got;
  auto r = read_all(p->server, got);
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().kind(), ErrorKind::Alert);
  EXPECT_EQ(r.error().alert(), alert::handshake_failure);
}

TEST(LimitsWarnings, Tls13IgnoresTheLevel) {
  auto p = connect(client(), server(ignore_warnings(16)));
  ASSERT_TRUE(p);
  inject(p->client, ContentType::alert, kWarning);
  std::string got;
  auto r = read_all(p->server, got);
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().kind(), ErrorKind::Alert);
  EXPECT_EQ(r.error().alert(), alert::no_renegotiation);
}

TEST(LimitsWarnings, IgnoredDuringTheTls12Handshake) {
  for (bool ignore : {true, false}) {
    SCOPED_TRACE(ignore ? "IgnoreWarnings" : "FailOnWarnings");
    Pair p(client(), server(ignore ? ignore_warnings(16) : Tweak()));
    p.client.state().test_max_version = Version::TLS12;
    ASSERT_TRUE(p.client.poll_negotiate().is_pending());  // ClientHello
    ASSERT_TRUE(p.server.poll_negotiate().is_pending());  // the server's flight
    // A plaintext warning ahead of the client's second flight.
    const Bytes rec = {21, 3, 3, 0, 2, 1, alert::no_renegotiation};
    p.c2s.bytes.insert(p.c2s.bytes.end(), rec.begin(), rec.end());
    auto err = p.handshake();
    if (ignore) {
      ASSERT_FALSE(err) << err->name();
      EXPECT_EQ(*p.server.actual_protocol_version(), Version::TLS12);
      expect_data(p.client, p.server, "after the warning");
    } else {
      ASSERT_TRUE(err);
      EXPECT_EQ(err->kind(), ErrorKind::Alert);
      EXPECT_EQ(err->alert(), alert::no_renegotiation);
    }
  }
}

// --- what is not affected ---

TEST(LimitsCounters, EventsSeparatedByDataAreUnbounded) {
  auto p = connect(client([](Config::Builder& b) {
                     ASSERT_TRUE(b.set_max_session_tickets(2).ok());
                     ASSERT_TRUE(b.set_max_empty_records(2).ok());
                   }),
                   server([](Config::Builder& b) {
                     ASSERT_TRUE(b.set_max_key_updates(2).ok());
                     ASSERT_TRUE(b.set_max_empty_records(2).ok());
                   }));
  ASSERT_TRUE(p);
  for (int round = 0; round < 20; ++round) {
    SCOPED_TRACE(round);
    for (int i = 0; i < 2; ++i) {
      inject_key_update(p->client);
      inject(p->client, ContentType::application_data, {});
      inject(p->server, ContentType::handshake, kTicket);
      inject(p->server, ContentType::application_data, {});
    }
    for (int i = 0; i < 5; ++i) {
      expect_data(p->client, p->server, "c" + std::to_string(i));
      expect_data(p->server, p->client, "s" + std::to_string(i));
    }
  }
  // The same connection still enforces the limits.
  for (int i = 0; i < 3; ++i) inject_key_update(p->client);
  expect_refused(p->server, p->client, "S2N_ERR_TOO_MANY_KEY_UPDATES", alert::unexpected_message);
}

TEST(LimitsCounters, Tls12HelloRequestsAndWarningsSeparatedByData) {
  auto p =
      connect(client([](Config::Builder& b) { ASSERT_TRUE(b.set_max_hello_requests(1).ok()); }),
              server(ignore_warnings(1)), Version::TLS12);
  ASSERT_TRUE(p);
  for (int round = 0; round < 20; ++round) {
    SCOPED_TRACE(round);
    inject(p->server, ContentType::handshake, kHelloRequest);
    inject(p->client, ContentType::alert, kWarning);
    expect_data(p->client, p->server, "c");
    expect_data(p->server, p->client, "s");
  }
}

// --- rejected with the RFC's alert ---

TEST(LimitsRfc, RecordOverTheLimitIsRecordOverflow) {
  auto p = connect(client(), server());
  ASSERT_TRUE(p);
  // The sender's fragment limit raised past 2^14: one protected record of 2^14 + 1 bytes,
  // under the TLS 1.3 ciphertext limit, refused once decrypted.
  p->client.state().rl.set_max_fragment(record::kMaxPlaintext + 1);
  inject(p->client, ContentType::application_data, Bytes(record::kMaxPlaintext + 1, 'x'));
  expect_refused(p->server, p->client, "S2N_ERR_RECORD_LIMIT", alert::record_overflow);
}

TEST(LimitsRfc, RecordHeaderOverTheLimitIsRefusedBeforeTheBody) {
  // TLS 1.3: 2^14 + 256 + 1; TLS 1.2: 2^14 + 2048 + 1.
  for (auto [v, len] : {std::pair{Version::TLS13, 16641}, std::pair{Version::TLS12, 18433}}) {
    SCOPED_TRACE(to_string(v));
    auto p = connect(client(), server(), v);
    ASSERT_TRUE(p);
    const Bytes hdr = {23, 3, 3, static_cast<uint8_t>(len >> 8), static_cast<uint8_t>(len)};
    p->c2s.bytes.assign(hdr.begin(), hdr.end());
    expect_refused(p->server, p->client, "S2N_ERR_RECORD_LIMIT", alert::record_overflow);
  }
}

// A policy whose groups force a HelloRetryRequest: the client's first share is P-256, the
// server accepts only X25519.
const uint16_t kSuite[] = {0x1301};
const uint16_t kSchemes[] = {0x0403, 0x0804};
const uint16_t kClientGroups[] = {0x0017, 0x001d};
const uint16_t kServerGroups[] = {0x001d};
const detail::PolicyData kClientPolicy{"limits-c", Version::TLS13, kSuite,
                                       kSchemes,   kClientGroups,  {}};
const detail::PolicyData kServerPolicy{"limits-s", Version::TLS13, kSuite,
                                       kSchemes,   kServerGroups,  {}};

TEST(LimitsRfc, SecondHelloRetryRequestIsUnexpectedMessage) {
  Pair p(client({}, Policy(&kClientPolicy)), server({}, Policy(&kServerPolicy)));
  ASSERT_TRUE(p.client.poll_negotiate().is_pending());  // ClientHello 1
  ASSERT_TRUE(p.server.poll_negotiate().is_pending());  // HelloRetryRequest (+ CCS)
  const Bytes flight(p.s2c.bytes.begin(), p.s2c.bytes.end());
  ASSERT_GE(flight.size(), 5u);
  ASSERT_EQ(flight[0], 22);
  const size_t hrr_len = 5 + ((size_t{flight[3]} << 8) | flight[4]);
  const Bytes hrr(flight.begin(), flight.begin() + static_cast<std::ptrdiff_t>(hrr_len));
  ASSERT_TRUE(p.client.poll_negotiate().is_pending());  // ClientHello 2
  drain(p.c2s);                                         // the server never sees it
  // The same HelloRetryRequest again where the ServerHello belongs.
  p.s2c.bytes.insert(p.s2c.bytes.end(), hrr.begin(), hrr.end());
  auto r = p.client.poll_negotiate();
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().name(), "S2N_ERR_SECOND_HELLO_RETRY");
  EXPECT_EQ(r.error().alert(), alert::unexpected_message);
  auto s = p.server.poll_negotiate();
  ASSERT_TRUE(s.is_error());
  EXPECT_EQ(s.error().kind(), ErrorKind::Alert) << s.error().name();
  EXPECT_EQ(s.error().alert(), alert::unexpected_message);
}

}  // namespace
}  // namespace snr::test
