// QUIC mode in selftalk (issue #8, SPEC 6.18, RFC 9001): snr client and server exchange
// plaintext handshake messages routed by encryption level, as a QUIC stack would carry them
// in CRYPTO frames, and must derive the same secrets; bad input fails with the right alert.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "msg/messages.hpp"
#include "msg/types.hpp"
#include "pair.hpp"
#include "quic/quic_io.hpp"
#include "util/alerts.hpp"
#include "util/error_code.hpp"
#include "wire/reader.hpp"

namespace snr::test {
namespace {

using Bytes = std::vector<uint8_t>;

constexpr uint64_t kSec = 1'000'000'000ull;
constexpr uint64_t kStart = 1'800'000'000ull * kSec;  // inside the test certificates' validity

const uint16_t kSchemes[] = {0x0403, 0x0503, 0x0804, 0x0805, 0x0809, 0x0401};

struct TestPolicy {
  std::vector<uint16_t> suites, groups;
  detail::PolicyData data;
  TestPolicy(std::vector<uint16_t> s, std::vector<uint16_t> g, Version min = Version::TLS13)
      : suites(std::move(s)), groups(std::move(g)) {
    data = detail::PolicyData{"quic-test", min, suites, kSchemes, groups, {}};
  }
  Policy policy() const { return Policy(&data); }
};

const TestPolicy kTls13({0x1301, 0x1302, 0x1303}, {0x001d, 0x0017});
// TLS 1.2 and 1.3 suites: QUIC mode must still offer and take TLS 1.3 only.
const TestPolicy kMixed({0x1301, 0xc02b, 0xc02f}, {0x001d, 0x0017}, Version::TLS12);

Bytes bytes(std::string_view s) { return {s.begin(), s.end()}; }

Config::Builder server_builder(const Policy& policy = kTls13.policy()) {
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
  EXPECT_TRUE(b.with_system_certs(false).ok());
  EXPECT_TRUE(b.set_security_policy(policy).ok());
  EXPECT_TRUE(b.load_pem(read_file(data_path("ecdsa-p256-cert.pem")),
                         read_file(data_path("ecdsa-p256-key.pem")))
                  .ok());
  EXPECT_TRUE(b.set_wall_clock([] { return kStart; }).ok());
  return b;
}

Config::Builder client_builder(const Policy& policy = kTls13.policy(),
                               const std::string& ca = "ca-cert.pem") {
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
  EXPECT_TRUE(b.with_system_certs(false).ok());
  EXPECT_TRUE(b.set_security_policy(policy).ok());
  EXPECT_TRUE(b.trust_pem(read_file(data_path(ca))).ok());
  EXPECT_TRUE(b.set_wall_clock([] { return kStart; }).ok());
  return b;
}

Config build(Config::Builder b) {
  auto c = b.build();
  EXPECT_TRUE(c.ok()) << c.error().message();
  return *c;
}

// One handshake message as sent: its level and type.
struct Sent {
  QuicLevel level;
  msg::HandshakeType type;
};

// The whole handshake messages in `data` (as the sink gives them).
std::vector<std::pair<msg::HandshakeType, Bytes>> split_messages(const Bytes& data) {
  std::vector<std::pair<msg::HandshakeType, Bytes>> out;
  wire::Reader r(data);
  while (!r.empty()) {
    uint8_t type = 0;
    uint32_t len = 0;
    ByteView body;
    if (!r.u8(type) || !r.u24(len) || !r.bytes(len, body)) {
      ADD_FAILURE() << "a chunk that is not whole handshake messages";
      break;
    }
    Bytes whole{type, static_cast<uint8_t>(len >> 16), static_cast<uint8_t>(len >> 8),
                static_cast<uint8_t>(len)};
    whole.insert(whole.end(), body.begin(), body.end());
    out.emplace_back(static_cast<msg::HandshakeType>(type), std::move(whole));
  }
  return out;
}

// One side of a QUIC connection: the connection, the messages it sent per level (not yet
// delivered), everything it sent, and the secrets it was given.
struct Side {
  Connection conn;
  std::deque<std::pair<QuicLevel, Bytes>> outbox;  // one message each
  std::vector<Sent> sent;
  std::map<SecretType, Bytes> secrets;
  std::vector<SecretType> secret_order;
  int fail_secret_calls_after = -1;  // test seam: the secret callback fails after n calls

  explicit Side(Mode mode) : conn(mode) {}

  void attach(Config config, std::string_view params) {
    ASSERT_TRUE(conn.enable_quic().ok());
    ASSERT_TRUE(conn.set_config(std::move(config)).ok());
    ASSERT_TRUE(conn.set_quic_transport_parameters(bytes(params)).ok());
    ASSERT_TRUE(conn.set_quic_send_function([this](QuicLevel level, std::span<const uint8_t> d) {
                      for (auto& [type, whole] : split_messages(Bytes(d.begin(), d.end()))) {
                        sent.push_back(Sent{level, type});
                        outbox.emplace_back(level, std::move(whole));
                      }
                    })
                    .ok());
    ASSERT_TRUE(conn.set_secret_callback([this](SecretType t, std::span<const uint8_t> s) {
                      if (fail_secret_calls_after == 0) return -1;
                      if (fail_secret_calls_after > 0) --fail_secret_calls_after;
                      EXPECT_FALSE(secrets.count(t)) << "secret given twice";
                      secrets[t].assign(s.begin(), s.end());
                      secret_order.push_back(t);
                      return 0;
                    })
                    .ok());
  }

  // Whether a QUIC stack holding this side's secrets could open packets of `level` from the
  // peer (Initial keys come from the connection ID, not from TLS).
  bool can_read(QuicLevel level) const {
    const bool client = conn.mode() == Mode::Client;
    switch (level) {
      case QuicLevel::Initial:
        return true;
      case QuicLevel::EarlyData:
        return secrets.count(SecretType::ClientEarlyTraffic) > 0;
      case QuicLevel::Handshake:
        return secrets.count(client ? SecretType::ServerHandshakeTraffic
                                    : SecretType::ClientHandshakeTraffic) > 0;
      case QuicLevel::Application:
        return secrets.count(client ? SecretType::ServerApplicationTraffic
                                    : SecretType::ClientApplicationTraffic) > 0;
    }
    return false;
  }
};

// Client and server in QUIC mode. Messages travel as a QUIC stack would carry them: a message
// is delivered when the receiver has the keys for its level (until then it waits, as an
// undecryptable packet would) and then must be at the receiver's read level.
struct QuicPair {
  Side client{Mode::Client};
  Side server{Mode::Server};
  bool hold_application = false;  // keep post-handshake messages in the outbox

  QuicPair(Config client_cfg, Config server_cfg, std::string_view client_params = "client-tp",
           std::string_view server_params = "server-tp") {
    client.attach(std::move(client_cfg), client_params);
    server.attach(std::move(server_cfg), server_params);
    EXPECT_TRUE(client.conn.set_server_name("localhost").ok());
  }

  // Delivers what `from` sent that `to` can read; returns the first error.
  std::optional<Error> deliver(Side& from, Side& to, bool& moved) {
    while (!from.outbox.empty()) {
      auto& [level, data] = from.outbox.front();
      if (!to.can_read(level) || (hold_application && level == QuicLevel::Application)) break;
      EXPECT_EQ(level, to.conn.quic_read_level());
      Status s = to.conn.quic_provide_data(level, data);
      if (!s.ok()) return s.error();
      from.outbox.pop_front();
      moved = true;
    }
    return std::nullopt;
  }

  // Runs both handshakes; the first error (client's first), if any.
  std::optional<Error> handshake() {
    bool c_done = false, s_done = false;
    for (int i = 0; i < 100; ++i) {
      bool moved = false;
      if (!c_done) {
        auto r = client.conn.poll_negotiate();
        if (r.is_error()) return r.error();
        c_done = r.is_ready();
      }
      if (auto e = deliver(client, server, moved)) return e;
      if (!s_done) {
        auto r = server.conn.poll_negotiate();
        if (r.is_error()) return r.error();
        s_done = r.is_ready();
      }
      if (auto e = deliver(server, client, moved)) return e;
      if (c_done && s_done && !moved) return std::nullopt;
    }
    return Error(0, "handshake did not finish");
  }

  // Client: processes the post-handshake messages the server sent (tickets).
  std::optional<Error> client_post_handshake() {
    bool moved = false;
    if (auto e = deliver(server, client, moved)) return e;
    for (int i = 0; i < 100; ++i) {
      auto r = client.conn.quic_process_post_handshake_message();
      if (r.is_error()) return r.error();
      if (r.is_pending()) break;
    }
    return std::nullopt;
  }
};

std::vector<msg::HandshakeType> types_at(const Side& s, QuicLevel level) {
  std::vector<msg::HandshakeType> out;
  for (const Sent& m : s.sent)
    if (m.level == level) out.push_back(m.type);
  return out;
}

using HT = msg::HandshakeType;

void expect_same_secrets(const Side& a, const Side& b, std::set<SecretType> types) {
  std::set<SecretType> got_a, got_b;
  for (auto& [t, s] : a.secrets) got_a.insert(t);
  for (auto& [t, s] : b.secrets) got_b.insert(t);
  EXPECT_EQ(got_a, types);
  EXPECT_EQ(got_b, types);
  for (SecretType t : types) {
    if (!a.secrets.count(t) || !b.secrets.count(t)) continue;
    EXPECT_EQ(a.secrets.at(t), b.secrets.at(t)) << "secret type " << static_cast<int>(t);
  }
}

const std::set<SecretType> kFullSecrets = {
    SecretType::ClientHandshakeTraffic, SecretType::ServerHandshakeTraffic,
    SecretType::ClientApplicationTraffic, SecretType::ServerApplicationTraffic,
    SecretType::Exporter};

TEST(Quic, HandshakeRoutedByLevel) {
  QuicPair p(build(client_builder()), build(server_builder()));
  auto err = p.handshake();
  ASSERT_FALSE(err) << err->name() << ": " << err->message();

  EXPECT_EQ(types_at(p.client, QuicLevel::Initial), std::vector<HT>{HT::client_hello});
  EXPECT_EQ(types_at(p.client, QuicLevel::Handshake), std::vector<HT>{HT::finished});
  EXPECT_EQ(types_at(p.server, QuicLevel::Initial), std::vector<HT>{HT::server_hello});
  EXPECT_EQ(types_at(p.server, QuicLevel::Handshake),
            (std::vector<HT>{HT::encrypted_extensions, HT::certificate, HT::certificate_verify,
                             HT::finished}));
  EXPECT_TRUE(types_at(p.client, QuicLevel::EarlyData).empty());

  expect_same_secrets(p.client, p.server, kFullSecrets);
  EXPECT_EQ(p.client.secrets.at(SecretType::ClientHandshakeTraffic).size(), 32u);  // SHA-256
  // As derived: the handshake pair, then the application pair and the exporter.
  EXPECT_EQ(p.server.secret_order,
            (std::vector<SecretType>{SecretType::ClientHandshakeTraffic,
                                     SecretType::ServerHandshakeTraffic,
                                     SecretType::ClientApplicationTraffic,
                                     SecretType::ServerApplicationTraffic, SecretType::Exporter}));

  EXPECT_EQ(Bytes(p.client.conn.quic_transport_parameters().begin(),
                  p.client.conn.quic_transport_parameters().end()),
            bytes("server-tp"));
  EXPECT_EQ(Bytes(p.server.conn.quic_transport_parameters().begin(),
                  p.server.conn.quic_transport_parameters().end()),
            bytes("client-tp"));
  for (Side* s : {&p.client, &p.server}) {
    EXPECT_TRUE(s->conn.is_quic_enabled());
    EXPECT_EQ(*s->conn.actual_protocol_version(), Version::TLS13);
    // No middlebox compatibility mode (RFC 9001 8.4).
    EXPECT_EQ(*s->conn.handshake_type(), "NEGOTIATED|FULL_HANDSHAKE");
    EXPECT_EQ(s->conn.quic_read_level(), QuicLevel::Application);
    EXPECT_EQ(s->conn.quic_write_level(), QuicLevel::Application);
  }
}

TEST(Quic, ClientHelloIsTls13OnlyWithoutSessionId) {
  // A policy that also allows TLS 1.2: QUIC still offers only TLS 1.3.
  QuicPair p(build(client_builder(kMixed.policy())), build(server_builder(kMixed.policy())));
  ASSERT_TRUE(p.client.conn.poll_negotiate().is_pending());
  ASSERT_EQ(p.client.outbox.size(), 1u);
  auto ch = msg::parse_client_hello(ByteView(p.client.outbox.front().second).subspan(4));
  ASSERT_TRUE(ch.ok());
  EXPECT_TRUE(ch->session_id.empty());
  EXPECT_EQ(ch->cipher_suites, std::vector<uint16_t>{0x1301});
  EXPECT_EQ(ch->ext.supported_versions, std::vector<uint16_t>{0x0304});
  EXPECT_EQ(ch->ext.quic_transport_parameters, bytes("client-tp"));
  EXPECT_FALSE(ch->ext.has(msg::ext::ec_point_formats));
  auto err = p.handshake();
  ASSERT_FALSE(err) << err->name() << ": " << err->message();
  EXPECT_EQ(*p.server.conn.cipher_suite(), "TLS_AES_128_GCM_SHA256");
}

TEST(Quic, EnabledOnTheConfig) {
  Connection client(Mode::Client), server(Mode::Server);
  auto cb = client_builder();
  ASSERT_TRUE(cb.enable_quic().ok());
  auto sb = server_builder();
  ASSERT_TRUE(sb.enable_quic().ok());
  ASSERT_TRUE(client.set_config(build(std::move(cb))).ok());
  ASSERT_TRUE(server.set_config(build(std::move(sb))).ok());
  EXPECT_TRUE(client.is_quic_enabled());
  EXPECT_TRUE(server.is_quic_enabled());
  ASSERT_TRUE(server.set_quic_transport_parameters(bytes("s")).ok());
  std::deque<std::pair<QuicLevel, Bytes>> to_server, to_client;
  ASSERT_TRUE(client
                  .set_quic_send_function([&](QuicLevel l, std::span<const uint8_t> d) {
                    to_server.emplace_back(l, Bytes(d.begin(), d.end()));
                  })
                  .ok());
  ASSERT_TRUE(server
                  .set_quic_send_function([&](QuicLevel l, std::span<const uint8_t> d) {
                    to_client.emplace_back(l, Bytes(d.begin(), d.end()));
                  })
                  .ok());
  ASSERT_TRUE(client.set_server_name("localhost").ok());
  // Whole flights at once: the receiver takes what is at its read level and keeps the rest.
  auto feed = [](Connection& to, std::deque<std::pair<QuicLevel, Bytes>>& q) {
    while (!q.empty() && q.front().first == to.quic_read_level()) {
      ASSERT_TRUE(to.quic_provide_data(q.front().first, q.front().second).ok());
      q.pop_front();
      (void)to.poll_negotiate();
    }
  };
  for (int i = 0; i < 10; ++i) {
    (void)client.poll_negotiate();
    feed(server, to_server);
    (void)server.poll_negotiate();
    feed(client, to_client);
  }
  EXPECT_TRUE(client.is_handshake_complete());
  EXPECT_TRUE(server.is_handshake_complete());
  // The client set no parameters: it sends an empty extension, which the server accepts.
  EXPECT_TRUE(server.quic_transport_parameters().empty());
  EXPECT_EQ(client.quic_transport_parameters().size(), 1u);
}

// s2n's byte-callback contract: the send callback is given bytes at quic_write_level(), the
// receive callback is asked for bytes at quic_read_level().
TEST(Quic, ByteCallbacksWithLevels) {
  struct Chunk {
    QuicLevel level;
    std::deque<uint8_t> data;
  };
  std::deque<Chunk> c2s, s2c;
  Connection client(Mode::Client), server(Mode::Server);
  std::map<SecretType, Bytes> cs, ss;
  auto setup = [](Connection& c, Config cfg, std::deque<Chunk>& out, std::deque<Chunk>& in,
                  std::map<SecretType, Bytes>& secrets, std::string_view tp) {
    ASSERT_TRUE(c.enable_quic().ok());
    ASSERT_TRUE(c.set_config(std::move(cfg)).ok());
    ASSERT_TRUE(c.set_quic_transport_parameters(bytes(tp)).ok());
    ASSERT_TRUE(c.set_send_callback([&c, &out](const uint8_t* b, uint32_t n) {
                   // At most 7 bytes a call: the level must hold across partial writes.
                   const uint32_t take = std::min<uint32_t>(n, 7);
                   const QuicLevel l = c.quic_write_level();
                   if (out.empty() || out.back().level != l) out.push_back(Chunk{l, {}});
                   out.back().data.insert(out.back().data.end(), b, b + take);
                   return static_cast<int>(take);
                 }).ok());
    ASSERT_TRUE(c.set_receive_callback([&c, &in](uint8_t* b, uint32_t n) {
                   if (in.empty() || in.front().level != c.quic_read_level()) {
                     errno = EAGAIN;
                     return -1;
                   }
                   auto& d = in.front().data;
                   const size_t take = std::min<size_t>(n, d.size());
                   std::copy_n(d.begin(), take, b);
                   d.erase(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(take));
                   if (d.empty()) in.pop_front();
                   return static_cast<int>(take);
                 }).ok());
    ASSERT_TRUE(c.set_secret_callback([&secrets](SecretType t, std::span<const uint8_t> s) {
                   secrets[t].assign(s.begin(), s.end());
                   return 0;
                 }).ok());
  };
  setup(client, build(client_builder()), c2s, s2c, cs, "c");
  setup(server, build(server_builder()), s2c, c2s, ss, "s");
  ASSERT_TRUE(client.set_server_name("localhost").ok());
  for (int i = 0; i < 50 && !(client.is_handshake_complete() && server.is_handshake_complete());
       ++i) {
    auto c = client.poll_negotiate();
    ASSERT_FALSE(c.is_error()) << c.error().message();
    auto s = server.poll_negotiate();
    ASSERT_FALSE(s.is_error()) << s.error().message();
  }
  ASSERT_TRUE(client.is_handshake_complete());
  ASSERT_TRUE(server.is_handshake_complete());
  EXPECT_EQ(cs, ss);
  EXPECT_EQ(cs.size(), 5u);
  EXPECT_EQ(client.quic_transport_parameters()[0], 's');
  EXPECT_EQ(server.quic_transport_parameters()[0], 'c');
}

TEST(Quic, HelloRetryRequestKeepsTransportParameters) {
  const TestPolicy client_policy({0x1301}, {0x0017, 0x001d});
  const TestPolicy server_policy({0x1301}, {0x001d});
  QuicPair p(build(client_builder(client_policy.policy())),
             build(server_builder(server_policy.policy())));
  auto err = p.handshake();
  ASSERT_FALSE(err) << err->name() << ": " << err->message();
  // Two ClientHellos and the HelloRetryRequest (a ServerHello) at the Initial level.
  EXPECT_EQ(types_at(p.client, QuicLevel::Initial),
            (std::vector<HT>{HT::client_hello, HT::client_hello}));
  EXPECT_EQ(types_at(p.server, QuicLevel::Initial),
            (std::vector<HT>{HT::server_hello, HT::server_hello}));
  EXPECT_EQ(*p.client.conn.handshake_type(), "NEGOTIATED|FULL_HANDSHAKE|HELLO_RETRY_REQUEST");
  expect_same_secrets(p.client, p.server, kFullSecrets);
  EXPECT_EQ(p.server.conn.quic_transport_parameters().size(), bytes("client-tp").size());
  EXPECT_EQ(p.client.conn.quic_transport_parameters().size(), bytes("server-tp").size());
}

// A ticket from a first handshake: the server sends it at the Application level; the client
// takes it with quic_process_post_handshake_message.
struct Ticketed {
  Bytes ticket;
  Config server_cfg;
  Config client_cfg;
};

Ticketed first_connection(uint32_t max_early) {
  auto sb = server_builder();
  EXPECT_TRUE(sb.add_session_ticket_key(bytes("k"), bytes("quic ticket key material 0123")).ok());
  if (max_early) {
    EXPECT_TRUE(sb.set_server_max_early_data_size(max_early).ok());
  }
  auto shared_ticket = std::make_shared<Bytes>();
  auto cb = client_builder();
  EXPECT_TRUE(cb.set_session_ticket_callback([shared_ticket](Connection&, const SessionTicket& t) {
                  shared_ticket->assign(t.data.begin(), t.data.end());
                }).ok());
  Ticketed out{{}, build(std::move(sb)), build(std::move(cb))};
  QuicPair p(out.client_cfg, out.server_cfg);
  auto err = p.handshake();
  EXPECT_FALSE(err) << err->message();
  EXPECT_TRUE(p.server.conn.are_session_tickets_enabled());
  EXPECT_EQ(types_at(p.server, QuicLevel::Application), std::vector<HT>{HT::new_session_ticket});
  EXPECT_TRUE(shared_ticket->empty());
  auto perr = p.client_post_handshake();
  EXPECT_FALSE(perr) << perr->message();
  EXPECT_FALSE(shared_ticket->empty());
  out.ticket = *shared_ticket;
  return out;
}

TEST(Quic, ResumptionWithATicket) {
  Ticketed t = first_connection(0);
  ASSERT_FALSE(t.ticket.empty());
  QuicPair p(t.client_cfg, t.server_cfg);
  ASSERT_TRUE(p.client.conn.set_session_ticket(t.ticket).ok());
  auto err = p.handshake();
  ASSERT_FALSE(err) << err->name() << ": " << err->message();
  EXPECT_TRUE(p.client.conn.resumed());
  EXPECT_TRUE(p.server.conn.resumed());
  // No certificates in a resumed handshake.
  EXPECT_EQ(types_at(p.server, QuicLevel::Handshake),
            (std::vector<HT>{HT::encrypted_extensions, HT::finished}));
  EXPECT_EQ(p.client.conn.early_data_status(), EarlyDataStatus::NotRequested);
  expect_same_secrets(p.client, p.server, kFullSecrets);
}

TEST(Quic, ZeroRttAccepted) {
  Ticketed t = first_connection(1000);
  ASSERT_FALSE(t.ticket.empty());
  QuicPair p(t.client_cfg, t.server_cfg);
  ASSERT_TRUE(p.client.conn.set_session_ticket(t.ticket).ok());
  ASSERT_TRUE(p.client.conn.poll_negotiate().is_pending());
  // The client can send 0-RTT packets right after its ClientHello.
  ASSERT_TRUE(p.client.secrets.count(SecretType::ClientEarlyTraffic));
  EXPECT_EQ(p.client.conn.quic_write_level(), QuicLevel::EarlyData);
  auto err = p.handshake();
  ASSERT_FALSE(err) << err->name() << ": " << err->message();
  EXPECT_EQ(p.client.conn.early_data_status(), EarlyDataStatus::Accepted);
  EXPECT_EQ(p.server.conn.early_data_status(), EarlyDataStatus::Accepted);
  auto all = kFullSecrets;
  all.insert(SecretType::ClientEarlyTraffic);
  expect_same_secrets(p.client, p.server, all);
  // RFC 9001 8.3: no EndOfEarlyData; TLS itself never writes at the EarlyData level.
  for (const Sent& m : p.client.sent) {
    EXPECT_NE(m.type, HT::end_of_early_data);
    EXPECT_NE(m.level, QuicLevel::EarlyData);
  }
  EXPECT_EQ(types_at(p.client, QuicLevel::Handshake), std::vector<HT>{HT::finished});
}

TEST(Quic, ZeroRttRejectedByTheServer) {
  Ticketed t = first_connection(1000);
  ASSERT_FALSE(t.ticket.empty());
  auto sb = server_builder();
  ASSERT_TRUE(sb.add_session_ticket_key(bytes("k"), bytes("quic ticket key material 0123")).ok());
  ASSERT_TRUE(sb.set_server_max_early_data_size(1000).ok());
  ASSERT_TRUE(sb.set_early_data_callback([](Connection&, const OfferedEarlyData&) {
                  return EarlyDataDecision::Reject;
                }).ok());
  QuicPair p(t.client_cfg, build(std::move(sb)));
  ASSERT_TRUE(p.client.conn.set_session_ticket(t.ticket).ok());
  auto err = p.handshake();
  ASSERT_FALSE(err) << err->name() << ": " << err->message();
  EXPECT_TRUE(p.client.conn.resumed());
  EXPECT_EQ(p.client.conn.early_data_status(), EarlyDataStatus::Rejected);
  EXPECT_EQ(p.server.conn.early_data_status(), EarlyDataStatus::Rejected);
  // The client offered (and got its early secret); the server never hands out the key for
  // 0-RTT packets it refused.
  EXPECT_TRUE(p.client.secrets.count(SecretType::ClientEarlyTraffic));
  EXPECT_FALSE(p.server.secrets.count(SecretType::ClientEarlyTraffic));
  for (SecretType type : kFullSecrets) EXPECT_EQ(p.client.secrets[type], p.server.secrets[type]);
}

// --- failures: the error carries the alert; nothing is sent ---

TEST(Quic, AlertsAreErrorsNotRecords) {
  // The client does not trust the server's CA.
  QuicPair p(build(client_builder(kTls13.policy(), "other-ca-cert.pem")), build(server_builder()));
  auto err = p.handshake();
  ASSERT_TRUE(err);
  EXPECT_EQ(err->name(), "S2N_ERR_CERT_UNTRUSTED");
  ASSERT_TRUE(err->alert().has_value());
  EXPECT_EQ(*err->alert(), alert::unknown_ca);
  // The client wrote nothing after its ClientHello: no alert record went out.
  EXPECT_EQ(p.client.sent.size(), 1u);
  EXPECT_TRUE(p.client.conn.poll_negotiate().is_error());

  // A server without a common suite.
  const TestPolicy only_aes256({0x1302}, {0x001d});
  const TestPolicy only_aes128({0x1301}, {0x001d});
  QuicPair q(build(client_builder(only_aes128.policy())),
             build(server_builder(only_aes256.policy())));
  err = q.handshake();
  ASSERT_TRUE(err);
  EXPECT_EQ(err->name(), "S2N_ERR_CIPHER_NOT_SUPPORTED");
  EXPECT_EQ(err->alert(), std::optional<uint8_t>(alert::handshake_failure));
  EXPECT_TRUE(q.server.sent.empty());
}

TEST(Quic, SecretCallbackFailureAborts) {
  QuicPair p(build(client_builder()), build(server_builder()));
  p.server.fail_secret_calls_after = 1;  // the server handshake secret is refused
  auto err = p.handshake();
  ASSERT_TRUE(err);
  EXPECT_EQ(err->name(), "S2N_ERR_QUIC_SECRET_CALLBACK");
  EXPECT_EQ(err->alert(), std::optional<uint8_t>(alert::internal_error));
  EXPECT_FALSE(p.server.conn.is_handshake_complete());
  // The ServerHello went out before the secret; nothing protected followed it.
  EXPECT_TRUE(types_at(p.server, QuicLevel::Handshake).empty());
}

TEST(Quic, SecretCallbackCStyle) {
  QuicPair p(build(client_builder()), build(server_builder()));
  struct Ctx {
    int calls = 0;
    Connection* conn = nullptr;
    size_t len = 0;
    Side* side = nullptr;
  } ctx;
  ctx.side = &p.client;
  ASSERT_TRUE(p.client.conn
                  .set_secret_callback(
                      [](void* c, Connection* conn, SecretType t, const uint8_t* s, uint8_t len) {
                        auto* x = static_cast<Ctx*>(c);
                        x->side->secrets[t].assign(s, s + len);
                        ++x->calls;
                        x->conn = conn;
                        x->len = len;
                        return 0;
                      },
                      &ctx)
                  .ok());
  auto err = p.handshake();
  ASSERT_FALSE(err) << err->message();
  EXPECT_EQ(ctx.calls, 5);
  EXPECT_EQ(ctx.conn, &p.client.conn);
  EXPECT_EQ(ctx.len, 32u);
}

// The buffer a secret is handed out in is zeroed as soon as the callback returns.
struct WipeLog {
  static inline std::vector<std::pair<const void*, bool>> wiped;  // pointer, was all zero
  static void observe(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    wiped.emplace_back(p, std::all_of(b, b + n, [](uint8_t x) { return x == 0; }));
  }
};

TEST(Quic, SecretBufferWipedAfterTheCallback) {
  QuicPair p(build(client_builder()), build(server_builder()));
  std::vector<const void*> given;
  ASSERT_TRUE(p.client.conn
                  .set_secret_callback([&](SecretType t, std::span<const uint8_t> s) {
                    given.push_back(s.data());
                    p.client.secrets[t].assign(s.begin(), s.end());
                    return 0;
                  })
                  .ok());
  WipeLog::wiped.clear();
  set_wipe_observer(WipeLog::observe);
  auto err = p.handshake();
  set_wipe_observer(nullptr);
  ASSERT_FALSE(err) << err->message();
  ASSERT_EQ(given.size(), 5u);
  for (const void* ptr : given) {
    auto it = std::find_if(WipeLog::wiped.begin(), WipeLog::wiped.end(),
                           [&](const auto& w) { return w.first == ptr; });
    ASSERT_NE(it, WipeLog::wiped.end()) << "a secret buffer was not wiped";
    EXPECT_TRUE(it->second);
  }
}

TEST(Quic, RecordCallsAreUsageErrors) {
  QuicPair p(build(client_builder()), build(server_builder()));
  auto err = p.handshake();
  ASSERT_FALSE(err) << err->message();
  uint8_t buf[16];
  for (Connection* c : {&p.client.conn, &p.server.conn}) {
    auto s = c->poll_send(std::string_view("x"));
    ASSERT_TRUE(s.is_error());
    EXPECT_EQ(s.error().name(), "S2N_ERR_UNSUPPORTED_WITH_QUIC");
    EXPECT_EQ(s.error().kind(), ErrorKind::Usage);
    auto r = c->poll_recv(buf);
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error().name(), "S2N_ERR_UNSUPPORTED_WITH_QUIC");
    EXPECT_TRUE(c->poll_shutdown().is_ready());
  }
  EXPECT_TRUE(p.client.conn.poll_send_early_data(std::string_view("x")).is_error());
  EXPECT_TRUE(p.server.conn.poll_recv_early_data(buf).is_error());
  // Not after the handshake started.
  EXPECT_FALSE(p.client.conn.enable_quic().ok());
  EXPECT_FALSE(p.client.conn.set_quic_transport_parameters(bytes("late")).ok());
  Connection fresh(Mode::Client);
  EXPECT_EQ(fresh.set_quic_transport_parameters(Bytes(70000)).error().name(),
            "S2N_ERR_QUIC_TRANSPORT_PARAMS_TOO_LARGE");
  EXPECT_FALSE(fresh.is_quic_enabled());
}

TEST(Quic, TlsOnlyPeerIsRefused) {
  // A policy without TLS 1.3 cannot run QUIC.
  const TestPolicy tls12({0xc02b}, {0x001d}, Version::TLS12);
  QuicPair p(build(client_builder(tls12.policy())), build(server_builder()));
  auto err = p.handshake();
  ASSERT_TRUE(err);
  EXPECT_EQ(err->name(), "S2N_ERR_PROTOCOL_VERSION_UNSUPPORTED");
}

// --- bad input ---

// A server that has the client's first ClientHello, and that hello's bytes.
struct ServerWithHello {
  QuicPair p;
  Bytes hello;
  ServerWithHello() : p(build(client_builder()), build(server_builder())) {
    EXPECT_TRUE(p.client.conn.poll_negotiate().is_pending());
    EXPECT_EQ(p.client.outbox.size(), 1u);
    hello = p.client.outbox.front().second;
  }
  // Feeds `bytes` at `level` and runs the server; the error it failed with.
  Error feed(QuicLevel level, const Bytes& bytes) {
    Status s = p.server.conn.quic_provide_data(level, bytes);
    if (!s.ok()) return s.error();
    auto r = p.server.conn.poll_negotiate();
    EXPECT_TRUE(r.is_error());
    return r.is_error() ? r.error() : Error(0, "no error");
  }
};

Bytes reserialize(const msg::ClientHello& ch) {
  Bytes out;
  EXPECT_TRUE(msg::serialize(ch, out).ok());
  return out;
}

TEST(QuicBadInput, MessageAtTheWrongLevel) {
  ServerWithHello s;
  Error e = s.feed(QuicLevel::Handshake, s.hello);
  EXPECT_EQ(e.name(), "S2N_ERR_QUIC_WRONG_LEVEL");
  EXPECT_EQ(e.alert(), std::optional<uint8_t>(alert::unexpected_message));
  // The connection stays failed.
  EXPECT_FALSE(s.p.server.conn.quic_provide_data(QuicLevel::Initial, s.hello).ok());
  EXPECT_TRUE(s.p.server.sent.empty());

  // A client after its ClientHello: Application data before any key.
  QuicPair p(build(client_builder()), build(server_builder()));
  ASSERT_TRUE(p.client.conn.poll_negotiate().is_pending());
  Status st = p.client.conn.quic_provide_data(QuicLevel::Application, Bytes{4, 0, 0, 0});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().alert(), std::optional<uint8_t>(alert::unexpected_message));
}

TEST(QuicBadInput, MessageTooLarge) {
  ServerWithHello s;
  // A ClientHello header announcing 64 KiB + 1: refused before its bytes are waited for.
  Error e = s.feed(QuicLevel::Initial, Bytes{1, 0x01, 0x00, 0x01});
  EXPECT_EQ(e.name(), "S2N_ERR_MAX_HANDSHAKE_MESSAGE_SIZE");
  EXPECT_EQ(e.alert(), std::optional<uint8_t>(alert::handshake_failure));
}

TEST(QuicBadInput, MissingTransportParameters) {
  ServerWithHello s;
  auto ch = msg::parse_client_hello(ByteView(s.hello).subspan(4));
  ASSERT_TRUE(ch.ok());
  auto& order = ch->ext.order;
  order.erase(std::remove(order.begin(), order.end(), msg::ext::quic_transport_parameters),
              order.end());
  Error e = s.feed(QuicLevel::Initial, reserialize(*ch));
  EXPECT_EQ(e.name(), "S2N_ERR_MISSING_EXTENSION");
  EXPECT_EQ(e.alert(), std::optional<uint8_t>(alert::missing_extension));
}

TEST(QuicBadInput, ServerWithoutTransportParameters) {
  QuicPair p(build(client_builder()), build(server_builder()));
  ASSERT_TRUE(p.client.conn.poll_negotiate().is_pending());
  bool moved = false;
  ASSERT_FALSE(p.deliver(p.client, p.server, moved));
  ASSERT_TRUE(p.server.conn.poll_negotiate().is_pending());
  // Take the EncryptedExtensions out of the server's flight and remove the parameters.
  for (auto& [level, data] : p.server.outbox) {
    if (static_cast<HT>(data[0]) != HT::encrypted_extensions) continue;
    auto ee = msg::parse_encrypted_extensions(ByteView(data).subspan(4));
    ASSERT_TRUE(ee.ok());
    auto& order = ee->ext.order;
    order.erase(std::remove(order.begin(), order.end(), msg::ext::quic_transport_parameters),
                order.end());
    data.clear();
    ASSERT_TRUE(msg::serialize(*ee, data).ok());
  }
  auto err = p.handshake();
  ASSERT_TRUE(err);
  EXPECT_EQ(err->name(), "S2N_ERR_MISSING_EXTENSION");
  EXPECT_EQ(err->alert(), std::optional<uint8_t>(alert::missing_extension));
  EXPECT_FALSE(p.client.conn.is_handshake_complete());
}

TEST(QuicBadInput, MiddleboxCompatibilityRefused) {
  // A hello with a legacy_session_id, as a client that sends CCS would (RFC 9001 8.4).
  ServerWithHello s;
  auto ch = msg::parse_client_hello(ByteView(s.hello).subspan(4));
  ASSERT_TRUE(ch.ok());
  ch->session_id.assign(32, 0x5a);
  Error e = s.feed(QuicLevel::Initial, reserialize(*ch));
  EXPECT_EQ(e.name(), "S2N_ERR_ILLEGAL_PARAMETER");
  EXPECT_EQ(e.alert(), std::optional<uint8_t>(alert::illegal_parameter));

  // A change_cipher_spec record's bytes are not a handshake message.
  ServerWithHello s2;
  Error e2 = s2.feed(QuicLevel::Initial, Bytes{0x14, 0x03, 0x03, 0x00, 0x01, 0x01});
  EXPECT_TRUE(e2.alert().has_value());
  EXPECT_TRUE(s2.p.server.sent.empty());

  // The sink refuses to write one.
  quic::QuicIo io(Mode::Client);
  Status ccs = io.send_change_cipher_spec();
  ASSERT_FALSE(ccs.ok());
  EXPECT_EQ(ccs.error().name(), "S2N_ERR_CCS_NOT_ALLOWED");
  EXPECT_EQ(ccs.error().alert().value_or(alert_for(Err::CCS_NOT_ALLOWED)),
            alert::unexpected_message);
}

TEST(QuicBadInput, KeyUpdateIsAnError) {
  QuicPair p(build(client_builder()), build(server_builder()));
  auto err = p.handshake();
  ASSERT_FALSE(err) << err->message();
  // KeyUpdate(update_not_requested) at the Application level.
  ASSERT_TRUE(p.client.conn.quic_provide_data(QuicLevel::Application, Bytes{24, 0, 0, 1, 0}).ok());
  auto r = p.client.conn.quic_process_post_handshake_message();
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().name(), "S2N_ERR_KEY_UPDATE");
  EXPECT_EQ(r.error().alert(), std::optional<uint8_t>(alert::unexpected_message));

  // A server takes no post-handshake messages from the client either.
  ASSERT_TRUE(
      p.server.conn.quic_provide_data(QuicLevel::Application, Bytes{4, 0, 0, 4, 0, 0, 0, 0}).ok());
  auto s = p.server.conn.quic_process_post_handshake_message();
  ASSERT_TRUE(s.is_error());
  EXPECT_EQ(s.error().alert(), std::optional<uint8_t>(alert::unexpected_message));
}

TEST(QuicBadInput, PostHandshakeWaitsForAWholeMessage) {
  Ticketed t = first_connection(0);
  ASSERT_FALSE(t.ticket.empty());
  QuicPair p(t.client_cfg, t.server_cfg);
  p.hold_application = true;
  auto err = p.handshake();
  ASSERT_FALSE(err) << err->message();
  ASSERT_EQ(p.server.outbox.size(), 1u);
  Bytes nst = p.server.outbox.front().second;
  // Before the handshake: not allowed.
  Connection fresh(Mode::Client);
  ASSERT_TRUE(fresh.enable_quic().ok());
  EXPECT_EQ(fresh.quic_process_post_handshake_message().error().name(), "S2N_ERR_NOT_NEGOTIATED");
  // The ticket in two pieces: pending after the first.
  Bytes head(nst.begin(), nst.begin() + 10), tail(nst.begin() + 10, nst.end());
  ASSERT_TRUE(p.client.conn.quic_provide_data(QuicLevel::Application, head).ok());
  EXPECT_TRUE(p.client.conn.quic_process_post_handshake_message().is_pending());
  ASSERT_TRUE(p.client.conn.quic_provide_data(QuicLevel::Application, tail).ok());
  EXPECT_TRUE(p.client.conn.quic_process_post_handshake_message().is_ready());
  EXPECT_GT(*p.client.conn.session_ticket_length(), 0u);
}

}  // namespace
}  // namespace snr::test
