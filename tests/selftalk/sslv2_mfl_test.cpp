// SSLv2-format ClientHellos into a snr server (SPEC 6.12), max_fragment_length both ways
// (RFC 6066 4), and the key-exchange getters (selected_key_exchange_group, kem_group_name,
// signature_scheme).
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "core/connection_state.hpp"
#include "hs/mfl.hpp"
#include "msg/messages.hpp"
#include "msg/sslv2_hello.hpp"
#include "pair.hpp"
#include "policy/registry.hpp"
#include "util/alerts.hpp"
#include "util/error_code.hpp"
#include "wire/reader.hpp"

namespace snr::test {
namespace {

const uint16_t kSchemes[] = {0x0403, 0x0503, 0x0603, 0x0809, 0x080a, 0x080b, 0x0804, 0x0805,
                             0x0806, 0x0401, 0x0501, 0x0601, 0x0807, 0x0201, 0x0203};
const uint16_t kGroups[] = {0x001d, 0x0017, 0x0018};

// A policy of exactly these suites (TLS 1.3 suites make it reach TLS 1.3).
struct TestPolicy {
  std::vector<uint16_t> suites;
  detail::PolicyData data;
  TestPolicy(std::vector<uint16_t> s, Version min = Version::TLS10) : suites(std::move(s)) {
    data = detail::PolicyData{"sslv2_mfl_test", min, suites, kSchemes, kGroups, {}};
  }
  Policy policy() const { return Policy(&data); }
};

Config::Builder server_builder(const std::string& kind, const Policy& policy) {
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
  EXPECT_TRUE(b.with_system_certs(false).ok());
  EXPECT_TRUE(b.set_security_policy(policy).ok());
  EXPECT_TRUE(
      b.load_pem(read_file(data_path(kind + "-cert.pem")), read_file(data_path(kind + "-key.pem")))
          .ok());
  EXPECT_TRUE(b.add_dhparams(read_file(data_path("dhparams-ffdhe2048.pem"))).ok());
  return b;
}

Config build(Config::Builder& b) {
  auto c = b.build();
  EXPECT_TRUE(c.ok());
  return *c;
}

Config::Builder client_builder(const Policy& policy) {
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
  EXPECT_TRUE(b.with_system_certs(false).ok());
  EXPECT_TRUE(b.set_security_policy(policy).ok());
  EXPECT_TRUE(b.trust_pem(read_file(data_path("ca-cert.pem"))).ok());
  return b;
}

struct WireRecord {
  uint8_t type;
  uint16_t version;
  Bytes body;
};

// Splits a byte stream into TLS records (a trailing partial record is left out).
std::vector<WireRecord> records_of(ByteView bytes) {
  std::vector<WireRecord> out;
  wire::Reader r(bytes);
  for (;;) {
    WireRecord rec;
    ByteView body;
    if (!r.u8(rec.type) || !r.u16(rec.version) || !r.prefixed_bytes<2>(body)) break;
    rec.body.assign(body.begin(), body.end());
    out.push_back(std::move(rec));
  }
  return out;
}

Bytes pipe_bytes(const Pipe& p) { return Bytes(p.bytes.begin(), p.bytes.end()); }

// The description of the alert record in `bytes`, if there is one.
std::optional<uint8_t> alert_in(ByteView bytes) {
  for (const WireRecord& rec : records_of(bytes))
    if (rec.type == 21 && rec.body.size() == 2) return rec.body[1];
  return std::nullopt;
}

// --- SSLv2 ClientHello ---

void put16(Bytes& b, size_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}

// An SSLv2 CLIENT-HELLO message (no record header): each suite as a 3-byte spec behind a
// zero byte, plus two SSLv2-only specs the server must skip.
Bytes sslv2_message(uint16_t version, const std::vector<uint16_t>& suites, ByteView challenge) {
  Bytes specs = {0x07, 0x00, 0xC0};
  for (uint16_t s : suites) {
    specs.push_back(0);
    put16(specs, s);
  }
  specs.insert(specs.end(), {0x01, 0x00, 0x80});
  Bytes m{msg::kSslv2ClientHello};
  put16(m, version);
  put16(m, specs.size());
  put16(m, 0);
  put16(m, challenge.size());
  m.insert(m.end(), specs.begin(), specs.end());
  m.insert(m.end(), challenge.begin(), challenge.end());
  return m;
}

Bytes sslv2_record(ByteView message) {
  Bytes r;
  put16(r, 0x8000 | message.size());
  r.insert(r.end(), message.begin(), message.end());
  return r;
}

Bytes challenge_of(size_t n) {
  Bytes c(n);
  for (size_t i = 0; i < n; ++i) c[i] = static_cast<uint8_t>(0x30 + i);
  return c;
}

// Feeds `bytes` to a fresh server and polls it once.
struct LoneServer {
  Pipe in, out;
  Connection server = Connection::new_server();
  Poll<void> result = Ready{};

  LoneServer(Config config, ByteView bytes) {
    (void)server.set_config(std::move(config));
    (void)server.set_send_callback(
        [this](const uint8_t* b, uint32_t n) { return out.write(b, n); });
    (void)server.set_receive_callback([this](uint8_t* b, uint32_t n) { return in.read(b, n); });
    in.bytes.assign(bytes.begin(), bytes.end());
    result = server.poll_negotiate();
  }
};

TEST(Sslv2Hello, ServerAnswersWithATls12ServerHello) {
  // A TLS 1.3-capable policy: the answer is TLS 1.2 with RFC 8446's downgrade sentinel.
  TestPolicy pol({0x1301, 0xC02F, 0x002F});
  auto sb = server_builder("rsa2048", pol.policy());
  const Bytes challenge = challenge_of(32);
  LoneServer s(build(sb), sslv2_record(sslv2_message(0x0303, {0x002F, 0xC02F}, challenge)));
  ASSERT_TRUE(s.result.is_pending()) << s.result.error().message();
  EXPECT_TRUE(s.server.client_hello_is_sslv2());
  const ClientHello* ch = s.server.client_hello();
  ASSERT_NE(ch, nullptr);
  EXPECT_TRUE(ch->is_sslv2());
  EXPECT_EQ(std::vector<uint16_t>(ch->cipher_suites().begin(), ch->cipher_suites().end()),
            (std::vector<uint16_t>{0x002F, 0xC02F}));
  EXPECT_TRUE(std::equal(challenge.begin(), challenge.end(), ch->random().begin()));

  const auto recs = records_of(pipe_bytes(s.out));
  ASSERT_FALSE(recs.empty());
  EXPECT_EQ(recs[0].type, 22);
  wire::Reader r(recs[0].body);
  uint8_t type = 0;
  uint32_t len = 0;
  ASSERT_TRUE(r.u8(type) && r.u24(len));
  ASSERT_EQ(type, 2);  // server_hello
  ByteView body;
  ASSERT_TRUE(r.bytes(len, body));
  auto sh = msg::parse_server_hello(body);
  ASSERT_TRUE(sh.ok()) << sh.error().message();
  EXPECT_EQ(sh->legacy_version, 0x0303);
  EXPECT_EQ(sh->cipher_suite, 0xC02F);  // the server's order among the offered suites
  EXPECT_FALSE(sh->ext.has(msg::ext::supported_versions));
  const uint8_t kDowngrade12[8] = {0x44, 0x4F, 0x57, 0x4E, 0x47, 0x52, 0x44, 0x01};
  EXPECT_TRUE(std::equal(sh->random.end() - 8, sh->random.end(), kDowngrade12));
  EXPECT_EQ(*s.server.actual_protocol_version(), Version::TLS12);
}

TEST(Sslv2Hello, Tls11ClientGetsTls11) {
  TestPolicy pol({0xC013, 0x002F}, Version::TLS10);
  auto sb = server_builder("rsa2048", pol.policy());
  LoneServer s(build(sb), sslv2_record(sslv2_message(0x0302, {0xC013}, challenge_of(16))));
  ASSERT_TRUE(s.result.is_pending()) << s.result.error().message();
  EXPECT_EQ(*s.server.actual_protocol_version(), Version::TLS11);
  const auto recs = records_of(pipe_bytes(s.out));
  ASSERT_FALSE(recs.empty());
  EXPECT_EQ(recs[0].version, 0x0302);
}

TEST(Sslv2Hello, Tls13OnlyServerRefuses) {
  TestPolicy pol({0x1301, 0x1302}, Version::TLS13);
  auto sb = server_builder("ecdsa-p256", pol.policy());
  LoneServer s(build(sb), sslv2_record(sslv2_message(0x0303, {0x1301, 0xC02B}, challenge_of(32))));
  ASSERT_TRUE(s.result.is_error());
  EXPECT_EQ(s.result.error().name(), std::string("S2N_ERR_PROTOCOL_VERSION_UNSUPPORTED"));
  EXPECT_EQ(alert_in(pipe_bytes(s.out)), alert::protocol_version);
  EXPECT_TRUE(s.server.client_hello_is_sslv2());
}

TEST(Sslv2Hello, NoUsableSuiteFails) {
  TestPolicy pol({0xC02F});
  auto sb = server_builder("rsa2048", pol.policy());
  LoneServer s(build(sb), sslv2_record(sslv2_message(0x0303, {0x000A}, challenge_of(32))));
  ASSERT_TRUE(s.result.is_error());
  EXPECT_EQ(s.result.error().name(), std::string("S2N_ERR_CIPHER_NOT_SUPPORTED"));
}

TEST(Sslv2Hello, BadInputFailsWithAnAlert) {
  TestPolicy pol({0xC02F});
  struct Case {
    const char* name;
    Bytes bytes;
    const char* error;  // S2N_ERR_ name
    uint8_t alert;
  };
  Bytes wrong_type = sslv2_message(0x0303, {0xC02F}, challenge_of(32));
  wrong_type[0] = 4;
  Bytes bad_lengths = sslv2_message(0x0303, {0xC02F}, challenge_of(32));
  bad_lengths[8] = 20;  // challenge_length short of the bytes that follow
  const Case cases[] = {
      {"header too short", Bytes{0x80, 0x05, 1, 3, 3, 0, 0}, "S2N_ERR_BAD_RECORD_HEADER",
       alert::decode_error},
      {"header too long", Bytes{0xFF, 0xFF, 1, 3, 3}, "S2N_ERR_RECORD_LIMIT",
       alert::record_overflow},
      {"message type", sslv2_record(wrong_type), "S2N_ERR_DECODE", alert::decode_error},
      {"lengths", sslv2_record(bad_lengths), "S2N_ERR_DECODE", alert::decode_error},
      {"short challenge", sslv2_record(sslv2_message(0x0303, {0xC02F}, challenge_of(8))),
       "S2N_ERR_DECODE", alert::decode_error},
      {"SSLv2 only", sslv2_record(sslv2_message(0x0002, {0xC02F}, challenge_of(32))),
       "S2N_ERR_PROTOCOL_VERSION_UNSUPPORTED", alert::protocol_version},
  };
  for (const Case& c : cases) {
    auto sb = server_builder("rsa2048", pol.policy());
    LoneServer s(build(sb), c.bytes);
    ASSERT_TRUE(s.result.is_error()) << c.name;
    EXPECT_EQ(s.result.error().name(), std::string(c.error)) << c.name;
    EXPECT_EQ(alert_in(pipe_bytes(s.out)), c.alert) << c.name;
  }
}

TEST(Sslv2Hello, TruncatedHelloWaitsThenFailsOnEof) {
  TestPolicy pol({0xC02F});
  auto sb = server_builder("rsa2048", pol.policy());
  Bytes rec = sslv2_record(sslv2_message(0x0303, {0xC02F}, challenge_of(32)));
  rec.resize(rec.size() - 3);
  LoneServer s(build(sb), rec);
  ASSERT_TRUE(s.result.is_pending());
  s.in.closed = true;
  auto r = s.server.poll_negotiate();
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().kind(), ErrorKind::Closed);
}

// Only a server's first record may be SSLv2: a client refuses one.
TEST(Sslv2Hello, ClientRefusesSslv2Framing) {
  TestPolicy pol({0xC02F});
  Pair p(client_config(pol.policy()), server_config("rsa2048", pol.policy()));
  ASSERT_TRUE(p.client.poll_negotiate().is_pending());
  const Bytes rec = sslv2_record(sslv2_message(0x0303, {0xC02F}, challenge_of(32)));
  p.s2c.bytes.assign(rec.begin(), rec.end());
  auto r = p.client.poll_negotiate();
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().name(), std::string("S2N_ERR_RECORD_TYPE"));
  EXPECT_FALSE(p.client.client_hello_is_sslv2());
}

struct Sslv2Case {
  uint16_t suite;
  const char* cert;
  size_t challenge;
  Version version;
};

class Sslv2Handshake : public ::testing::TestWithParam<Sslv2Case> {};

// A full handshake begun with an SSLv2 hello. The snr client stands in for an old client: its
// TLS ClientHello is replaced on the wire by the SSLv2 form of the same offer, and its
// transcript (and, for a short challenge, its random) by what the SSLv2 hello says. The
// Finished messages then only agree if the server hashed the SSLv2 bytes and derived the
// client random as RFC 5246 E.2 says.
TEST_P(Sslv2Handshake, CompletesAndCarriesData) {
  const Sslv2Case c = GetParam();
  TestPolicy pol({c.suite});
  auto sb = server_builder(c.cert, pol.policy());
  Pair p(client_config(pol.policy()), build(sb));
  p.client.state().test_max_version = c.version;
  ASSERT_TRUE(p.client.poll_negotiate().is_pending());
  p.c2s.bytes.clear();

  hs::Handshake& hs = *p.client.state().hs;
  std::fill(hs.client_random.begin(), hs.client_random.end() - c.challenge, uint8_t{0});
  const ByteView challenge = ByteView(hs.client_random).last(c.challenge);
  const Bytes message = sslv2_message(hs.first_hello->legacy_version,
                                      hs.first_hello->cipher_suites.to_vector(), challenge);
  hs.transcript = keys::Transcript();
  ASSERT_TRUE(hs.transcript.add(message).ok());
  const Bytes rec = sslv2_record(message);
  p.c2s.bytes.assign(rec.begin(), rec.end());

  auto err = p.handshake();
  ASSERT_FALSE(err) << err->name() << ": " << err->message();
  EXPECT_TRUE(p.server.client_hello_is_sslv2());
  EXPECT_FALSE(p.client.client_hello_is_sslv2());
  for (Connection* conn : {&p.client, &p.server}) {
    EXPECT_EQ(*conn->actual_protocol_version(), c.version);
    EXPECT_EQ(*conn->cipher_suite(), policy::find_suite(c.suite)->openssl_name);
  }
  EXPECT_EQ(transfer(p.client, p.server, "from an SSLv2 hello"), "from an SSLv2 hello");
  EXPECT_EQ(transfer(p.server, p.client, std::string(20000, 'z')), std::string(20000, 'z'));
}

INSTANTIATE_TEST_SUITE_P(
    Suites, Sslv2Handshake,
    ::testing::Values(Sslv2Case{0xC02F, "rsa2048", 32, Version::TLS12},     // ECDHE-RSA GCM
                      Sslv2Case{0xC02F, "rsa2048", 16, Version::TLS12},     // padded random
                      Sslv2Case{0x002F, "rsa2048", 20, Version::TLS12},     // RSA kx, CBC
                      Sslv2Case{0xC009, "ecdsa-p256", 32, Version::TLS12},  // ECDHE-ECDSA
                      Sslv2Case{0x0033, "rsa2048", 32, Version::TLS12},     // DHE-RSA
                      Sslv2Case{0xC013, "rsa2048", 24, Version::TLS10}));   // TLS 1.0

// --- max_fragment_length ---

// Records `conn` writes, as they leave it.
struct Tap {
  Bytes bytes;
  void attach(Connection& conn, Pipe& pipe) {
    (void)conn.set_send_callback([this, &pipe](const uint8_t* b, uint32_t n) {
      int r = pipe.write(b, n);
      if (r > 0) bytes.insert(bytes.end(), b, b + r);
      return r;
    });
  }
};

struct MflCase {
  Version version;
  MaxFragmentLength length;
};

std::string mfl_name(const ::testing::TestParamInfo<MflCase>& info) {
  return std::string(info.param.version == Version::TLS13 ? "TLS13_" : "TLS12_") +
         std::to_string(hs::mfl_bytes(static_cast<uint8_t>(info.param.length)));
}

// AES-128-GCM either way, so the per-record overhead is known: TLS 1.3 adds the inner type
// and the tag, TLS 1.2 the explicit nonce and the tag.
std::vector<uint16_t> gcm_suite(Version v) {
  return {v == Version::TLS13 ? uint16_t{0x1301} : uint16_t{0xC02F}};
}
size_t gcm_overhead(Version v) { return v == Version::TLS13 ? 17 : 24; }

class Mfl : public ::testing::TestWithParam<MflCase> {};

TEST_P(Mfl, BothSidesKeepToTheLimit) {
  const MflCase c = GetParam();
  const size_t limit = hs::mfl_bytes(static_cast<uint8_t>(c.length));
  TestPolicy pol(gcm_suite(c.version));
  auto cb = client_builder(pol.policy());
  ASSERT_TRUE(cb.send_max_fragment_length(c.length).ok());
  auto sb = server_builder("rsa2048", pol.policy());
  ASSERT_TRUE(sb.accept_max_fragment_length().ok());
  Pair p(build(cb), build(sb));
  Tap server_out, client_out;
  server_out.attach(p.server, p.s2c);
  client_out.attach(p.client, p.c2s);
  auto err = p.handshake();
  ASSERT_FALSE(err) << err->name() << ": " << err->message();
  EXPECT_EQ(*p.client.actual_protocol_version(), c.version);
  EXPECT_EQ(p.client.state().neg.max_fragment_length, limit);
  EXPECT_EQ(p.server.state().neg.max_fragment_length, limit);

  // The server's flight (a 2048-bit RSA chain of two certificates) needed several records.
  size_t handshake_records = 0;
  for (const WireRecord& rec : records_of(server_out.bytes)) {
    EXPECT_LE(rec.body.size(), limit + gcm_overhead(c.version));
    if (rec.type == 22) ++handshake_records;
  }
  if (c.version == Version::TLS12 && limit < 2048) {
    EXPECT_GE(handshake_records, 3u);
  }

  for (auto [from, to, tap] : {std::tuple{&p.client, &p.server, &client_out},
                               std::tuple{&p.server, &p.client, &server_out}}) {
    tap->bytes.clear();
    std::string data(10000, 'm');
    for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>('a' + i % 26);
    EXPECT_EQ(transfer(*from, *to, data), data);
    const auto recs = records_of(tap->bytes);
    ASSERT_EQ(recs.size(), (data.size() + limit - 1) / limit);
    EXPECT_EQ(recs.front().body.size(), limit + gcm_overhead(c.version));
    for (const WireRecord& rec : recs) EXPECT_EQ(rec.type, 23);
  }
}

INSTANTIATE_TEST_SUITE_P(Lengths, Mfl,
                         ::testing::Values(MflCase{Version::TLS12, MaxFragmentLength::Len512},
                                           MflCase{Version::TLS12, MaxFragmentLength::Len1024},
                                           MflCase{Version::TLS12, MaxFragmentLength::Len2048},
                                           MflCase{Version::TLS12, MaxFragmentLength::Len4096},
                                           MflCase{Version::TLS13, MaxFragmentLength::Len512},
                                           MflCase{Version::TLS13, MaxFragmentLength::Len1024},
                                           MflCase{Version::TLS13, MaxFragmentLength::Len2048},
                                           MflCase{Version::TLS13, MaxFragmentLength::Len4096}),
                         mfl_name);

// Sends `n` bytes from `from` and returns the sizes of the records that carried them.
std::vector<size_t> record_sizes(Pair& p, Tap& tap, Connection& from, Connection& to, size_t n) {
  tap.bytes.clear();
  const std::string data(n, 'r');
  EXPECT_EQ(transfer(from, to, data), data);
  std::vector<size_t> out;
  for (const WireRecord& rec : records_of(tap.bytes)) out.push_back(rec.body.size());
  (void)p;
  return out;
}

TEST(MflNegotiation, ServerThatDoesNotAcceptIgnoresTheRequest) {
  for (Version v : {Version::TLS12, Version::TLS13}) {
    SCOPED_TRACE(to_string(v));
    TestPolicy pol(gcm_suite(v));
    auto cb = client_builder(pol.policy());
    ASSERT_TRUE(cb.send_max_fragment_length(MaxFragmentLength::Len512).ok());
    auto sb = server_builder("rsa2048", pol.policy());
    Pair p(build(cb), build(sb));
    Tap tap;
    tap.attach(p.server, p.s2c);
    auto err = p.handshake();
    ASSERT_FALSE(err) << err->name();
    ASSERT_NE(p.server.client_hello(), nullptr);
    EXPECT_TRUE(p.server.client_hello()->has_extension(msg::ext::max_fragment_length));
    EXPECT_EQ(p.client.state().neg.max_fragment_length, 0);
    EXPECT_EQ(p.server.state().neg.max_fragment_length, 0);
    const size_t overhead = gcm_overhead(v);
    EXPECT_EQ(record_sizes(p, tap, p.server, p.client, 20000),
              (std::vector<size_t>{16384 + overhead, 20000 - 16384 + overhead}));
  }
}

TEST(MflNegotiation, NotAskedNotGiven) {
  TestPolicy pol(gcm_suite(Version::TLS13));
  auto sb = server_builder("rsa2048", pol.policy());
  ASSERT_TRUE(sb.accept_max_fragment_length().ok());
  Pair p(client_config(pol.policy()), build(sb));
  ASSERT_FALSE(p.handshake());
  EXPECT_FALSE(p.server.client_hello()->has_extension(msg::ext::max_fragment_length));
  EXPECT_EQ(p.client.state().neg.max_fragment_length, 0);
}

TEST(MflNegotiation, SmallerOfLimitAndPreferenceWins) {
  TestPolicy pol(gcm_suite(Version::TLS13));
  for (auto [length, expected] : {std::pair{MaxFragmentLength::Len512, size_t{512}},
                                  std::pair{MaxFragmentLength::Len4096, size_t{1435}}}) {
    auto cb = client_builder(pol.policy());
    ASSERT_TRUE(cb.send_max_fragment_length(length).ok());
    auto sb = server_builder("rsa2048", pol.policy());
    ASSERT_TRUE(sb.accept_max_fragment_length().ok());
    Pair p(build(cb), build(sb));
    Tap tap;
    tap.attach(p.client, p.c2s);
    ASSERT_FALSE(p.handshake());
    ASSERT_TRUE(p.client.prefer_low_latency().ok());
    auto sizes = record_sizes(p, tap, p.client, p.server, 5000);
    ASSERT_FALSE(sizes.empty());
    EXPECT_EQ(sizes.front(), expected + 17);
    // prefer_throughput cannot lift the negotiated limit.
    ASSERT_TRUE(p.client.prefer_throughput().ok());
    sizes = record_sizes(p, tap, p.client, p.server, 5000);
    EXPECT_EQ(sizes.front(), hs::mfl_bytes(static_cast<uint8_t>(length)) + 17);
  }
}

TEST(MflNegotiation, LargerIncomingRecordIsARecordOverflow) {
  for (Version v : {Version::TLS12, Version::TLS13}) {
    SCOPED_TRACE(to_string(v));
    TestPolicy pol(gcm_suite(v));
    auto cb = client_builder(pol.policy());
    ASSERT_TRUE(cb.send_max_fragment_length(MaxFragmentLength::Len1024).ok());
    auto sb = server_builder("rsa2048", pol.policy());
    ASSERT_TRUE(sb.accept_max_fragment_length().ok());
    Pair p(build(cb), build(sb));
    ASSERT_FALSE(p.handshake());
    // A client that ignores the limit it asked for.
    p.client.state().rl.set_fragment_limit(record::kMaxPlaintext);
    ASSERT_TRUE(p.client.poll_send(std::string(1025, 'x')).is_ready());
    uint8_t buf[2048];
    auto r = p.server.poll_recv(buf);
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error().name(), std::string("S2N_ERR_RECORD_LIMIT"));
    // The alert goes out encrypted; the client reads it.
    auto c = p.client.poll_recv(buf);
    ASSERT_TRUE(c.is_error());
    EXPECT_EQ(p.client.alert(), alert::record_overflow);
  }
}

// Finds `pattern` in the bytes waiting in `pipe` and overwrites it with `with`.
bool rewrite(Pipe& pipe, const Bytes& pattern, const Bytes& with) {
  Bytes b = pipe_bytes(pipe);
  auto it = std::search(b.begin(), b.end(), pattern.begin(), pattern.end());
  if (it == b.end()) return false;
  std::copy(with.begin(), with.end(), it);
  pipe.bytes.assign(b.begin(), b.end());
  return true;
}

// The client's offer (extension 1, length 1, code) on the wire.
Bytes mfl_ext(uint8_t code) { return {0x00, 0x01, 0x00, 0x01, code}; }

TEST(MflNegotiation, ServerRefusesAnInvalidCode) {
  for (uint8_t code : {0, 5}) {
    TestPolicy pol(gcm_suite(Version::TLS13));
    auto cb = client_builder(pol.policy());
    ASSERT_TRUE(cb.send_max_fragment_length(MaxFragmentLength::Len2048).ok());
    auto sb = server_builder("rsa2048", pol.policy());
    Pair p(build(cb), build(sb));
    ASSERT_TRUE(p.client.poll_negotiate().is_pending());
    ASSERT_TRUE(rewrite(p.c2s, mfl_ext(3), mfl_ext(code)));
    auto r = p.server.poll_negotiate();
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error().name(), std::string("S2N_ERR_ILLEGAL_PARAMETER"));
    EXPECT_EQ(alert_in(pipe_bytes(p.s2c)), alert::illegal_parameter);
  }
}

// TLS 1.2: the ServerHello is in the clear, so a changed request (the server echoes what it
// read) reaches the client's check before any Finished.
TEST(MflNegotiation, ClientRefusesADifferentAnswer) {
  TestPolicy pol(gcm_suite(Version::TLS12));
  auto cb = client_builder(pol.policy());
  ASSERT_TRUE(cb.send_max_fragment_length(MaxFragmentLength::Len512).ok());
  auto sb = server_builder("rsa2048", pol.policy());
  ASSERT_TRUE(sb.accept_max_fragment_length().ok());
  Pair p(build(cb), build(sb));
  ASSERT_TRUE(p.client.poll_negotiate().is_pending());
  ASSERT_TRUE(rewrite(p.c2s, mfl_ext(1), mfl_ext(4)));
  ASSERT_TRUE(p.server.poll_negotiate().is_pending());
  auto r = p.client.poll_negotiate();
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().name(), std::string("S2N_ERR_ILLEGAL_PARAMETER"));
  EXPECT_EQ(alert_in(pipe_bytes(p.c2s)), alert::illegal_parameter);
}

// The client's empty renegotiation_info (ff01, length 1, 0x00) becomes a max_fragment_length
// request it never made; the server's echo is then unsolicited (RFC 5246 7.4.1.4:
// unsupported_extension).
TEST(MflNegotiation, ClientRefusesAnUnsolicitedAnswer) {
  TestPolicy pol(gcm_suite(Version::TLS12));
  auto sb = server_builder("rsa2048", pol.policy());
  ASSERT_TRUE(sb.accept_max_fragment_length().ok());
  Pair p(client_config(pol.policy()), build(sb));
  ASSERT_TRUE(p.client.poll_negotiate().is_pending());
  ASSERT_TRUE(rewrite(p.c2s, Bytes{0xff, 0x01, 0x00, 0x01, 0x00}, mfl_ext(2)));
  ASSERT_TRUE(p.server.poll_negotiate().is_pending());
  auto r = p.client.poll_negotiate();
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().name(), std::string("S2N_ERR_UNSUPPORTED_EXTENSION"));
}

// The answer checks themselves, TLS 1.3's EncryptedExtensions included (which cannot be
// altered on the wire without breaking the record protection first).
TEST(MflNegotiation, AnswerChecks) {
  detail::ConfigData config;
  hs::Negotiated neg;
  hs::Handshake hs;
  hs.settings.config = &config;
  hs.out = &neg;
  msg::Extensions reply;
  EXPECT_TRUE(hs::accept_mfl_answer(hs, reply).ok());
  EXPECT_EQ(neg.max_fragment_length, 0);
  reply.add(msg::ext::max_fragment_length);
  reply.max_fragment_length = 2;
  auto unasked = hs::accept_mfl_answer(hs, reply);
  ASSERT_FALSE(unasked.ok());
  EXPECT_EQ(err_of(unasked.error()), Err::ILLEGAL_PARAMETER);
  config.send_mfl = 1;
  auto other = hs::accept_mfl_answer(hs, reply);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(err_of(other.error()), Err::ILLEGAL_PARAMETER);
  config.send_mfl = 2;
  EXPECT_TRUE(hs::accept_mfl_answer(hs, reply).ok());
  EXPECT_EQ(neg.max_fragment_length, 1024);
  EXPECT_EQ(hs::mfl_bytes(0), 0);
  EXPECT_EQ(hs::mfl_bytes(4), 4096);
  EXPECT_EQ(hs::mfl_bytes(5), 0);
}

TEST(MflNegotiation, BuilderRefusesAnUnknownLength) {
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
  auto s = b.send_max_fragment_length(static_cast<MaxFragmentLength>(5));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().name(), std::string("S2N_ERR_INVALID_ARGUMENT"));
  EXPECT_TRUE(b.send_max_fragment_length(MaxFragmentLength::Len4096).ok());
  EXPECT_TRUE(b.accept_max_fragment_length().ok());
  ASSERT_TRUE(b.build().ok());
  EXPECT_FALSE(b.accept_max_fragment_length().ok());  // built
}

// After a HelloRetryRequest the second ClientHello asks again and EncryptedExtensions answers.
TEST(MflNegotiation, WithHelloRetryRequest) {
  static const uint16_t kSuites[] = {0x1301};
  static const uint16_t kClientGroups[] = {0x0017, 0x001d};  // P-256's share first
  static const uint16_t kServerGroups[] = {0x001d};
  const detail::PolicyData client_policy{"mfl-hrr-c", Version::TLS13, kSuites,
                                         kSchemes,    kClientGroups,  {}};
  const detail::PolicyData server_policy{"mfl-hrr-s", Version::TLS13, kSuites,
                                         kSchemes,    kServerGroups,  {}};
  auto cb = client_builder(Policy(&client_policy));
  ASSERT_TRUE(cb.send_max_fragment_length(MaxFragmentLength::Len2048).ok());
  auto sb = server_builder("rsa2048", Policy(&server_policy));
  ASSERT_TRUE(sb.accept_max_fragment_length().ok());
  Pair p(build(cb), build(sb));
  Tap tap;
  tap.attach(p.server, p.s2c);
  auto err = p.handshake();
  ASSERT_FALSE(err) << err->name() << ": " << err->message();
  EXPECT_EQ(*p.client.handshake_type(),
            "NEGOTIATED|FULL_HANDSHAKE|HELLO_RETRY_REQUEST|MIDDLEBOX_COMPAT");
  EXPECT_EQ(p.client.state().neg.max_fragment_length, 2048);
  EXPECT_EQ(p.server.state().neg.max_fragment_length, 2048);
  EXPECT_EQ(record_sizes(p, tap, p.server, p.client, 5000),
            (std::vector<size_t>{2048 + 17, 2048 + 17, 904 + 17}));
}

// TLS 1.2 resumption negotiates it again (an abbreviated ServerHello echoes it too).
TEST(MflNegotiation, Tls12ResumptionKeepsTheLimit) {
  TestPolicy pol(gcm_suite(Version::TLS12));
  auto cb = client_builder(pol.policy());
  ASSERT_TRUE(cb.send_max_fragment_length(MaxFragmentLength::Len1024).ok());
  ASSERT_TRUE(cb.enable_session_tickets(true).ok());
  auto sb = server_builder("rsa2048", pol.policy());
  ASSERT_TRUE(sb.accept_max_fragment_length().ok());
  const Bytes name = {'k'};
  const Bytes key(32, 7);
  ASSERT_TRUE(sb.add_session_ticket_key(name, key).ok());
  Config client = build(cb), server = build(sb);
  Pair first(client, server);
  ASSERT_FALSE(first.handshake());
  EXPECT_EQ(transfer(first.client, first.server, "x"), "x");
  std::vector<uint8_t> blob(*first.client.session_ticket_length());
  ASSERT_TRUE(first.client.session_ticket(blob).ok());

  Pair second(client, server);
  ASSERT_TRUE(second.client.set_session_ticket(blob).ok());
  Tap tap;
  tap.attach(second.server, second.s2c);
  ASSERT_FALSE(second.handshake());
  EXPECT_TRUE(second.client.resumed());
  EXPECT_EQ(second.client.state().neg.max_fragment_length, 1024);
  auto sizes = record_sizes(second, tap, second.server, second.client, 3000);
  EXPECT_EQ(sizes, (std::vector<size_t>{1024 + 24, 1024 + 24, 952 + 24}));
}

// --- getters ---

TEST(KxGetters, Tls13FullHandshake) {
  TestPolicy pol({0x1301});
  Pair p(client_config(pol.policy()), server_config("ecdsa-p256", pol.policy()));
  ASSERT_FALSE(p.handshake());
  for (Connection* c : {&p.client, &p.server}) {
    EXPECT_EQ(c->selected_key_exchange_group(), std::optional<std::string_view>("x25519"));
    EXPECT_EQ(c->kem_group_name(), std::nullopt);
    // s2n's names: ECDSA without the curve.
    EXPECT_EQ(c->signature_scheme(), std::optional<std::string_view>("ecdsa_sha256"));
    EXPECT_FALSE(c->client_hello_is_sslv2());
  }
}

TEST(KxGetters, BeforeTheHandshake) {
  Connection c = Connection::new_server();
  EXPECT_EQ(c.selected_key_exchange_group(), std::nullopt);
  EXPECT_EQ(c.kem_group_name(), std::nullopt);
  EXPECT_EQ(c.signature_scheme(), std::nullopt);
  EXPECT_FALSE(c.client_hello_is_sslv2());
}

struct GetterCase {
  uint16_t suite;
  const char* cert;
  Version version;
  std::optional<std::string_view> group;
  std::optional<std::string_view> scheme;
};

class KxGetters12 : public ::testing::TestWithParam<GetterCase> {};

TEST_P(KxGetters12, FullHandshake) {
  const GetterCase c = GetParam();
  TestPolicy pol({c.suite});
  auto sb = server_builder(c.cert, pol.policy());
  Pair p(client_config(pol.policy()), build(sb));
  p.client.state().test_max_version = c.version;
  auto err = p.handshake();
  ASSERT_FALSE(err) << err->name() << ": " << err->message();
  for (Connection* conn : {&p.client, &p.server}) {
    EXPECT_EQ(*conn->actual_protocol_version(), c.version);
    EXPECT_EQ(conn->selected_key_exchange_group(), c.group);
    EXPECT_EQ(conn->signature_scheme(), c.scheme);
    EXPECT_EQ(conn->kem_group_name(), std::nullopt);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Suites, KxGetters12,
    ::testing::Values(
        GetterCase{0xC02F, "rsa2048", Version::TLS12, "x25519", "rsa_pss_rsae_sha256"},
        GetterCase{0xC02B, "ecdsa-p256", Version::TLS12, "x25519", "ecdsa_sha256"},
        GetterCase{0x009C, "rsa2048", Version::TLS12, std::nullopt, std::nullopt},  // RSA kx
        GetterCase{0x009E, "rsa2048", Version::TLS12, std::nullopt, "rsa_pss_rsae_sha256"},
        GetterCase{0xC013, "rsa2048", Version::TLS10, "x25519", "legacy_rsa_md5_sha1"},
        GetterCase{0xC009, "ecdsa-p256", Version::TLS11, "x25519", "ecdsa_sha1"}));

TEST(KxGetters, Tls12ResumptionHasNeither) {
  TestPolicy pol({0xC02F});
  auto cb = client_builder(pol.policy());
  ASSERT_TRUE(cb.enable_session_tickets(true).ok());
  auto sb = server_builder("rsa2048", pol.policy());
  const Bytes name = {'k'};
  const Bytes key(32, 9);
  ASSERT_TRUE(sb.add_session_ticket_key(name, key).ok());
  Config client = build(cb), server = build(sb);
  Pair first(client, server);
  ASSERT_FALSE(first.handshake());
  EXPECT_EQ(transfer(first.client, first.server, "x"), "x");
  std::vector<uint8_t> blob(*first.client.session_ticket_length());
  ASSERT_TRUE(first.client.session_ticket(blob).ok());
  Pair second(client, server);
  ASSERT_TRUE(second.client.set_session_ticket(blob).ok());
  ASSERT_FALSE(second.handshake());
  for (Connection* c : {&second.client, &second.server}) {
    EXPECT_TRUE(c->resumed());
    EXPECT_EQ(c->selected_key_exchange_group(), std::nullopt);
    EXPECT_EQ(c->signature_scheme(), std::nullopt);
  }
}

TEST(KxGetters, Tls13ResumptionKeepsTheGroupNotTheScheme) {
  TestPolicy pol({0x1301});
  auto cb = client_builder(pol.policy());
  ASSERT_TRUE(cb.enable_session_tickets(true).ok());
  auto sb = server_builder("ecdsa-p256", pol.policy());
  const Bytes name = {'k'};
  const Bytes key(32, 3);
  ASSERT_TRUE(sb.add_session_ticket_key(name, key).ok());
  Config client = build(cb), server = build(sb);
  Pair first(client, server);
  ASSERT_FALSE(first.handshake());
  EXPECT_EQ(transfer(first.server, first.client, "t"), "t");  // the ticket arrives
  std::vector<uint8_t> blob(*first.client.session_ticket_length());
  ASSERT_FALSE(blob.empty());
  ASSERT_TRUE(first.client.session_ticket(blob).ok());
  Pair second(client, server);
  ASSERT_TRUE(second.client.set_session_ticket(blob).ok());
  ASSERT_FALSE(second.handshake());
  for (Connection* c : {&second.client, &second.server}) {
    EXPECT_TRUE(c->resumed());
    EXPECT_EQ(c->selected_key_exchange_group(), std::optional<std::string_view>("x25519"));
    EXPECT_EQ(c->signature_scheme(), std::nullopt);
  }
}

}  // namespace
}  // namespace snr::test
