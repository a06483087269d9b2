// TLS 1.2 (and 1.0/1.1) against hostile input: tampered and truncated records, CBC padding of
// every length, a forged ServerKeyExchange, invalid key-exchange values, the TLS 1.3 downgrade
// sentinel, and messages in the wrong place. Each must end in the right Error and the right
// alert on the wire — never a crash, a hang, or data handed to the application.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/connection_state.hpp"
#include "crypto/cbc.hpp"
#include "crypto/hash.hpp"
#include "keys/prf12.hpp"
#include "msg/messages.hpp"
#include "msg/messages12.hpp"
#include "pair.hpp"
#include "policy/registry.hpp"
#include "record/protection12.hpp"
#include "record/record_layer.hpp"
#include "util/alerts.hpp"
#include "util/error_code.hpp"

namespace snr::test {
namespace {

using msg::ContentType;

const uint16_t kSchemes[] = {0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806,
                             0x0401, 0x0501, 0x0601, 0x0201, 0x0203};
const uint16_t kAllGroups[] = {0x001d, 0x0017, 0x0018};
std::vector<uint16_t> all_groups() { return {std::begin(kAllGroups), std::end(kAllGroups)}; }

// The two RFC 8446 4.1.3 sentinels, written out here rather than taken from src/.
const uint8_t kSentinel12[8] = {0x44, 0x4F, 0x57, 0x4E, 0x47, 0x52, 0x44, 0x01};
const uint8_t kSentinel11[8] = {0x44, 0x4F, 0x57, 0x4E, 0x47, 0x52, 0x44, 0x00};

// A policy of exactly these TLS 1.2-and-older suites (so the maximum version is TLS 1.2).
struct Policy12 {
  std::vector<uint16_t> suites;
  std::vector<uint16_t> groups;
  detail::PolicyData data;
  explicit Policy12(std::vector<uint16_t> s, std::vector<uint16_t> g = all_groups())
      : suites(std::move(s)), groups(std::move(g)) {
    data = detail::PolicyData{"bad12", Version::TLS10, suites, kSchemes, groups, {}};
  }
  Policy policy() const { return Policy(&data); }
};

Config server12(const std::string& kind, const Policy& policy) {
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
  EXPECT_TRUE(b.with_system_certs(false).ok());
  EXPECT_TRUE(b.set_security_policy(policy).ok());
  EXPECT_TRUE(
      b.load_pem(read_file(data_path(kind + "-cert.pem")), read_file(data_path(kind + "-key.pem")))
          .ok());
  EXPECT_TRUE(b.add_dhparams(read_file(data_path("dhparams-ffdhe2048.pem"))).ok());
  auto c = b.build();
  if (!c.ok()) throw std::runtime_error("build: " + c.error().message());
  return *c;
}

const policy::CipherSuite& suite_of(uint16_t iana) {
  const policy::CipherSuite* s = policy::find_suite(iana);
  if (s == nullptr) throw std::runtime_error("unknown suite " + std::to_string(iana));
  return *s;
}

std::string cert_for(uint16_t iana) {
  return suite_of(iana).auth == policy::Auth::ECDSA ? "ecdsa-p256" : "rsa2048";
}

// A client and a server that speak only `suite`, the client capped at `version`. The policy
// lives as long as the connections that point at it.
struct Conn12 {
  Policy12 pol;
  Pair p;
  Conn12(uint16_t suite, Version version, std::vector<uint16_t> groups)
      : pol({suite}, std::move(groups)),
        p(client_config(pol.policy()), server12(cert_for(suite), pol.policy())) {
    p.client.state().test_max_version = version;
  }
};
std::unique_ptr<Conn12> make12(uint16_t suite, Version version = Version::TLS12,
                               std::vector<uint16_t> groups = all_groups()) {
  return std::make_unique<Conn12>(suite, version, std::move(groups));
}

// ---- wire helpers ----

struct WireRecord {
  uint8_t type = 0;
  uint16_t version = 0;
  Bytes body;
};

std::vector<WireRecord> split_records(ByteView stream) {
  std::vector<WireRecord> out;
  size_t pos = 0;
  while (pos + 5 <= stream.size()) {
    const size_t len = (size_t{stream[pos + 3]} << 8) | stream[pos + 4];
    if (pos + 5 + len > stream.size()) break;
    WireRecord r;
    r.type = stream[pos];
    r.version = static_cast<uint16_t>((stream[pos + 1] << 8) | stream[pos + 2]);
    r.body.assign(stream.begin() + static_cast<std::ptrdiff_t>(pos + 5),
                  stream.begin() + static_cast<std::ptrdiff_t>(pos + 5 + len));
    out.push_back(std::move(r));
    pos += 5 + len;
  }
  EXPECT_EQ(pos, stream.size()) << "the stream does not end on a record boundary";
  return out;
}

Bytes record(uint8_t type, ByteView body, uint16_t version = 0x0303) {
  Bytes r = {type, static_cast<uint8_t>(version >> 8), static_cast<uint8_t>(version),
             static_cast<uint8_t>(body.size() >> 8), static_cast<uint8_t>(body.size())};
  r.insert(r.end(), body.begin(), body.end());
  return r;
}

Bytes drain(Pipe& p) {
  Bytes b(p.bytes.begin(), p.bytes.end());
  p.bytes.clear();
  return b;
}

void append(Bytes& to, ByteView from) { to.insert(to.end(), from.begin(), from.end()); }

// Handshake messages (header included) carried by a run of plaintext handshake records.
std::vector<Bytes> split_messages(ByteView hs) {
  std::vector<Bytes> out;
  size_t pos = 0;
  while (pos + 4 <= hs.size()) {
    const size_t len = (size_t{hs[pos + 1]} << 16) | (size_t{hs[pos + 2]} << 8) | hs[pos + 3];
    if (pos + 4 + len > hs.size()) break;
    out.emplace_back(hs.begin() + static_cast<std::ptrdiff_t>(pos),
                     hs.begin() + static_cast<std::ptrdiff_t>(pos + 4 + len));
    pos += 4 + len;
  }
  EXPECT_EQ(pos, hs.size()) << "the handshake stream does not end on a message boundary";
  return out;
}

// A plaintext flight: its handshake messages, and whatever records follow the first
// non-handshake record (kept as raw bytes: CCS and encrypted records).
struct Flight {
  uint16_t record_version = 0x0303;
  std::vector<Bytes> messages;
  Bytes rest;

  static Flight parse(ByteView wire) {
    Flight f;
    Bytes hs;
    bool in_prefix = true;
    for (const WireRecord& r : split_records(wire)) {
      if (in_prefix && r.type == 22) {
        if (hs.empty()) f.record_version = r.version;
        append(hs, r.body);
        continue;
      }
      in_prefix = false;
      append(f.rest, record(r.type, r.body, r.version));
    }
    f.messages = split_messages(hs);
    return f;
  }
  // One record per message, then the rest. Record boundaries are the sender's choice, so
  // this is a faithful re-framing of the same flight.
  Bytes wire() const {
    Bytes out;
    for (const Bytes& m : messages) append(out, record(22, m, record_version));
    append(out, rest);
    return out;
  }
  Bytes* find(msg::HandshakeType type) {
    for (Bytes& m : messages)
      if (m[0] == static_cast<uint8_t>(type)) return &m;
    return nullptr;
  }
};

// The alert description of the last two-byte alert record in a plaintext stream.
std::optional<uint8_t> plaintext_alert(ByteView stream) {
  std::optional<uint8_t> last;
  for (const WireRecord& r : split_records(stream))
    if (r.type == 21 && r.body.size() == 2) last = r.body[1];
  return last;
}

// Drives `conn`'s handshake until it stops; bounded, so a hang shows up as a pending result.
Poll<void> negotiate(Connection& conn) {
  Poll<void> r = conn.poll_negotiate();
  for (int i = 0; i < 100 && r.is_pending(); ++i) r = conn.poll_negotiate();
  return r;
}

// Receives until an error or EOF, at most `rounds` calls; what arrived goes to `got`.
Poll<size_t> recv_all(Connection& conn, std::string& got, int rounds = 100) {
  Poll<size_t> r = size_t{0};
  for (int i = 0; i < rounds; ++i) {
    uint8_t buf[4096];
    r = conn.poll_recv(buf);
    if (!r.is_ready() || r.value() == 0) return r;
    got.append(reinterpret_cast<const char*>(buf), r.value());
  }
  return r;
}

// The peer of a connection that failed with `alert` must read exactly that alert (the
// record is encrypted once keys are in place, so this is how it is checked).
void expect_peer_reads_alert(Connection& peer, uint8_t alert) {
  std::string got;
  auto r = recv_all(peer, got);
  ASSERT_TRUE(r.is_error()) << "the peer did not see an alert";
  EXPECT_EQ(r.error().kind(), ErrorKind::Alert) << r.error().name();
  EXPECT_EQ(r.error().alert(), alert);
  EXPECT_EQ(peer.alert(), alert);
  EXPECT_TRUE(got.empty());
}

void send_all(Connection& conn, const std::string& data) {
  size_t sent = 0;
  for (int i = 0; i < 1000 && sent < data.size(); ++i) {
    auto r = conn.poll_send(std::string_view(data).substr(sent));
    ASSERT_FALSE(r.is_error()) << r.error().message();
    if (r.is_ready()) sent += r.value();
  }
  ASSERT_EQ(sent, data.size());
  ASSERT_TRUE(conn.poll_flush().is_ready());
}

// ---- tampered records after the handshake ----

struct SuiteVersion {
  uint16_t suite;
  Version version;
};

std::string sv_name(const ::testing::TestParamInfo<SuiteVersion>& info) {
  std::string n = std::string(suite_of(info.param.suite).openssl_name) + "_" +
                  std::string(to_string(info.param.version));
  for (char& c : n)
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
}

class Tls12Tamper : public ::testing::TestWithParam<SuiteVersion> {};

// Every byte of the protected record (explicit IV or nonce, ciphertext, encrypted MAC and
// padding, GCM tag) and its content type, flipped in turn on the way from client to server.
TEST_P(Tls12Tamper, EveryFlippedByteIsBadRecordMac) {
  const SuiteVersion c = GetParam();
  const std::string message = "attack at dawn, bring snacks";
  // The record layout does not depend on the keys: measure it once.
  std::vector<size_t> offsets;
  {
    auto k = make12(c.suite, c.version);
    ASSERT_FALSE(k->p.handshake());
    ASSERT_EQ(*k->p.client.actual_protocol_version(), c.version);
    send_all(k->p.client, message);
    Bytes wire = drain(k->p.c2s);
    size_t pos = 0;
    for (const WireRecord& r : split_records(wire)) {
      EXPECT_EQ(r.type, 23);
      offsets.push_back(pos);  // the content type byte
      for (size_t i = 0; i < r.body.size(); ++i) offsets.push_back(pos + 5 + i);
      pos += 5 + r.body.size();
    }
  }
  ASSERT_FALSE(offsets.empty());
  for (size_t off : offsets) {
    SCOPED_TRACE("offset " + std::to_string(off));
    auto k = make12(c.suite, c.version);
    ASSERT_FALSE(k->p.handshake());
    send_all(k->p.client, message);
    k->p.c2s.bytes[off] ^= 0x01;
    std::string got;
    auto r = recv_all(k->p.server, got);
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error().name(), "S2N_ERR_DECRYPT") << r.error().message();
    EXPECT_EQ(r.error().alert(), alert::bad_record_mac);
    // TLS 1.0 splits the data 1/n-1: the first record may arrive intact, never the rest.
    EXPECT_LT(got.size(), message.size());
    expect_peer_reads_alert(k->p.client, alert::bad_record_mac);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Records, Tls12Tamper,
    ::testing::Values(SuiteVersion{0xC02F, Version::TLS12},   // ECDHE-RSA-AES128-GCM-SHA256
                      SuiteVersion{0xCCA9, Version::TLS12},   // ECDHE-ECDSA-CHACHA20-POLY1305
                      SuiteVersion{0xC009, Version::TLS12},   // ECDHE-ECDSA-AES128-SHA
                      SuiteVersion{0xC028, Version::TLS12},   // ECDHE-RSA-AES256-SHA384
                      SuiteVersion{0x003C, Version::TLS12},   // AES128-SHA256
                      SuiteVersion{0xC014, Version::TLS11},   // ECDHE-RSA-AES256-SHA
                      SuiteVersion{0xC013, Version::TLS10}),  // ECDHE-RSA-AES128-SHA
    sv_name);

// ---- CBC padding of every length, through the record layer ----

// One CBC record of application data, sequence 0, built from the primitives: plaintext,
// HMAC, then pad_len + 1 bytes of value pad_len. `corrupt` (if set) flips one bit in byte
// `*corrupt` of the padding (0 .. pad_len; pad_len is the padding_length byte).
Bytes cbc_record(const policy::CipherSuite& s, Version v, const keys::DirectionKeys& k, ByteView pt,
                 size_t pad_len, std::optional<size_t> corrupt) {
  const uint16_t wire_version = v == Version::TLS10   ? 0x0301
                                : v == Version::TLS11 ? 0x0302
                                                      : 0x0303;
  Bytes mac_input = {0,
                     0,
                     0,
                     0,
                     0,
                     0,
                     0,
                     0,
                     23,
                     static_cast<uint8_t>(wire_version >> 8),
                     static_cast<uint8_t>(wire_version),
                     static_cast<uint8_t>(pt.size() >> 8),
                     static_cast<uint8_t>(pt.size())};
  append(mac_input, pt);
  auto mac = crypto::hmac(s.mac, k.mac_key.view(), mac_input);
  EXPECT_TRUE(mac.ok());
  Bytes data(pt.begin(), pt.end());
  append(data, mac->view().first(crypto::hash_size(s.mac)));
  const size_t pad_at = data.size();
  data.insert(data.end(), pad_len + 1, static_cast<uint8_t>(pad_len));
  if (corrupt) data[pad_at + *corrupt] ^= 0x01;
  EXPECT_EQ(data.size() % crypto::kCbcBlockSize, 0u);

  // TLS 1.0 chains from the key block's IV; later versions send a fresh one per record.
  Bytes iv = v == Version::TLS10 ? Bytes(k.iv.view().begin(), k.iv.view().end())
                                 : Bytes{0x5a, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                         0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xf0};
  auto cbc =
      crypto::Cbc::create(s.cipher == policy::BulkCipher::AES_256_CBC ? crypto::CbcAlg::AES_256_CBC
                                                                      : crypto::CbcAlg::AES_128_CBC,
                          k.enc_key.view(), true);
  EXPECT_TRUE(cbc.ok());
  EXPECT_TRUE(cbc->encrypt(iv, data).ok());
  Bytes body = v == Version::TLS10 ? Bytes() : iv;
  append(body, data);
  return record(23, body, wire_version);
}

// Feeds `wire` to a fresh record layer reading with `k`, the way the connection does (the
// header, then what read_want() asks for), and returns its verdict on the one record.
struct Opened {
  std::optional<Err> error;
  ContentType type = ContentType::alert;
  Bytes data;
};
Opened open_through_record_layer(const policy::CipherSuite& s, Version v,
                                 const keys::DirectionKeys& k, ByteView wire) {
  Opened o;
  auto prot = record::make_protection12(s, v, k);
  EXPECT_TRUE(prot.ok());
  if (!prot.ok()) return o;
  record::RecordLayer rl;
  rl.set_read_protection(std::move(*prot));
  while (true) {
    const size_t n = std::min(rl.read_want(), wire.size());
    MutByteView space = rl.read_space(n);
    std::copy_n(wire.begin(), n, space.begin());
    rl.commit_read(n);
    wire = wire.subspan(n);
    auto r = rl.take_record();
    if (!r.ok()) {
      o.error = err_of(r.error());
      return o;
    }
    if (r->has_value()) {
      EXPECT_TRUE((*r)->encrypted);
      o.type = (*r)->type;
      o.data.assign((*r)->data.begin(), (*r)->data.end());
      EXPECT_TRUE(wire.empty());
      return o;
    }
    if (wire.empty() || n == 0) {
      ADD_FAILURE() << "the record layer wants more than the whole record";
      return o;
    }
  }
}

class CbcPadding : public ::testing::TestWithParam<SuiteVersion> {};

TEST_P(CbcPadding, EveryLengthOpensAndEveryCorruptedPaddingByteIsRefused) {
  const SuiteVersion c = GetParam();
  const policy::CipherSuite& s = suite_of(c.suite);
  const size_t mac_len = crypto::hash_size(s.mac);
  Bytes master(48), cr(32), sr(32);
  for (size_t i = 0; i < master.size(); ++i) master[i] = static_cast<uint8_t>(7 * i + 1);
  for (size_t i = 0; i < cr.size(); ++i) cr[i] = static_cast<uint8_t>(i);
  for (size_t i = 0; i < sr.size(); ++i) sr[i] = static_cast<uint8_t>(255 - i);
  auto kb = keys::key_block(s, c.version, master, cr, sr);
  ASSERT_TRUE(kb.ok());
  const keys::DirectionKeys& k = kb->client;

  size_t refused = 0;
  for (size_t pad = 0; pad <= 255; ++pad) {
    SCOPED_TRACE("padding length " + std::to_string(pad));
    // A plaintext length that makes plaintext + MAC + padding + 1 whole blocks (and is
    // different for neighbouring padding lengths).
    size_t n = pad % 5;
    while ((n + mac_len + pad + 1) % crypto::kCbcBlockSize != 0) ++n;
    Bytes pt(n);
    for (size_t i = 0; i < n; ++i) pt[i] = static_cast<uint8_t>(pad + 3 * i);

    const Opened good =
        open_through_record_layer(s, c.version, k, cbc_record(s, c.version, k, pt, pad, {}));
    ASSERT_FALSE(good.error) << "a valid record with " << pad << " padding bytes was refused";
    EXPECT_EQ(good.type, ContentType::application_data);
    EXPECT_EQ(good.data, pt);

    // Every byte of the padding, the padding_length byte included.
    for (size_t bad = 0; bad <= pad; ++bad) {
      const Opened o =
          open_through_record_layer(s, c.version, k, cbc_record(s, c.version, k, pt, pad, bad));
      ASSERT_TRUE(o.error.has_value()) << "corrupted padding byte " << bad << " was accepted";
      EXPECT_EQ(*o.error, Err::DECRYPT) << "corrupted padding byte " << bad;
      ++refused;
    }
  }
  EXPECT_EQ(refused, 256u * 257u / 2u);
}

INSTANTIATE_TEST_SUITE_P(
    Lengths, CbcPadding,
    ::testing::Values(SuiteVersion{0xC013, Version::TLS12},   // AES-128-CBC, HMAC-SHA1
                      SuiteVersion{0x003D, Version::TLS12},   // AES-256-CBC, HMAC-SHA256
                      SuiteVersion{0xC028, Version::TLS12},   // AES-256-CBC, HMAC-SHA384
                      SuiteVersion{0x002F, Version::TLS11},   // explicit IV, TLS 1.1
                      SuiteVersion{0xC014, Version::TLS10}),  // chained IV, TLS 1.0
    sv_name);

// ---- truncated records ----

// The server's first flight cut anywhere (inside a header, inside a body, or on a record
// boundary), then EOF: the client ends with a Closed error and sends nothing.
TEST(Tls12Truncation, ServerFlightCutAnywhereThenEofIsClosed) {
  const uint16_t suite = 0xC02B;  // ECDHE-ECDSA-AES128-GCM-SHA256
  size_t flight_size = 0;
  std::vector<size_t> boundaries;
  {
    auto k = make12(suite);
    (void)k->p.client.poll_negotiate();
    (void)k->p.server.poll_negotiate();
    Bytes flight = drain(k->p.s2c);
    flight_size = flight.size();
    size_t pos = 0;
    for (const WireRecord& r : split_records(flight)) {
      boundaries.push_back(pos);
      pos += 5 + r.body.size();
    }
  }
  ASSERT_GT(flight_size, 300u);
  // Around every record boundary, and a stride through the bodies.
  std::vector<size_t> cuts;
  for (size_t b : boundaries)
    for (size_t d : {0, 1, 2, 4, 5, 6})
      if (b + d < flight_size) cuts.push_back(b + d);
  for (size_t at = 0; at < flight_size; at += 37) cuts.push_back(at);
  cuts.push_back(flight_size - 1);
  for (size_t cut : cuts) {
    SCOPED_TRACE("cut at " + std::to_string(cut) + " of " + std::to_string(flight_size));
    auto k = make12(suite);
    (void)k->p.client.poll_negotiate();
    (void)k->p.server.poll_negotiate();
    drain(k->p.c2s);
    // ECDSA signatures vary in length by a byte or two between connections.
    ASSERT_GT(k->p.s2c.bytes.size(), flight_size - 8);
    k->p.s2c.bytes.resize(std::min(cut, k->p.s2c.bytes.size() - 1));
    k->p.s2c.closed = true;
    auto r = negotiate(k->p.client);
    ASSERT_TRUE(r.is_error()) << "pending: the client hangs on a truncated flight";
    EXPECT_EQ(r.error().kind(), ErrorKind::Closed) << r.error().name();
    EXPECT_TRUE(k->p.c2s.bytes.empty()) << "the client answered a truncated flight";
  }
}

// After the handshake: a record cut short, then EOF. None of the record's data may reach the
// application, and the receiver reports the truncation (a Closed error, not a clean end of
// stream) rather than wait for bytes that will never come.
TEST(Tls12Truncation, ApplicationRecordCutShortThenEofDeliversNothing) {
  for (uint16_t suite : {uint16_t{0xC02F}, uint16_t{0xC013}}) {
    auto probe = make12(suite);
    ASSERT_FALSE(probe->p.handshake());
    send_all(probe->p.client, "0123456789abcdef");
    const size_t size = drain(probe->p.c2s).size();
    for (size_t cut : {size_t{1}, size_t{3}, size_t{5}, size_t{6}, size / 2, size - 1}) {
      SCOPED_TRACE("suite " + std::to_string(suite) + " cut " + std::to_string(cut));
      auto k = make12(suite);
      ASSERT_FALSE(k->p.handshake());
      send_all(k->p.client, "0123456789abcdef");
      k->p.c2s.bytes.resize(cut);
      k->p.c2s.closed = true;
      std::string got;
      auto r = recv_all(k->p.server, got);
      EXPECT_FALSE(r.is_pending()) << "the server waits for bytes after EOF";
      EXPECT_TRUE(got.empty());
      ASSERT_TRUE(r.is_error());
      EXPECT_EQ(r.error().kind(), ErrorKind::Closed) << r.error().name();
    }
  }
}

// A header promising more than TLS 1.2 allows (2^14 + 2048) is refused before any body.
TEST(Tls12Truncation, OversizedProtectedRecordIsRecordOverflow) {
  auto k = make12(0xC02F);
  ASSERT_FALSE(k->p.handshake());
  const Bytes hdr = {23, 3, 3, 0x48, 0x01};  // 18433
  k->p.c2s.bytes.assign(hdr.begin(), hdr.end());
  std::string got;
  auto r = recv_all(k->p.server, got);
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().name(), "S2N_ERR_RECORD_LIMIT");
  EXPECT_EQ(r.error().alert(), alert::record_overflow);
  expect_peer_reads_alert(k->p.client, alert::record_overflow);
}

// ---- ServerKeyExchange signature ----

enum class SkeDamage { None, Signature, Params };

struct SkeCase {
  uint16_t suite;
  Version version;
};

class Tls12Ske : public ::testing::TestWithParam<SkeCase> {
 protected:
  // Runs the client against the server's first flight with its ServerKeyExchange damaged.
  // Returns the client's result; `client_out` gets what the client wrote back.
  Poll<void> run(SkeDamage damage, Bytes& client_out) {
    const SkeCase c = GetParam();
    auto k = make12(c.suite, c.version);
    (void)k->p.client.poll_negotiate();
    (void)k->p.server.poll_negotiate();
    Flight f = Flight::parse(drain(k->p.s2c));
    Bytes* ske_msg = f.find(msg::HandshakeType::server_key_exchange);
    EXPECT_NE(ske_msg, nullptr);
    if (ske_msg == nullptr) return make_error(Err::INTERNAL, "no ServerKeyExchange");
    const msg::KxKind kind =
        suite_of(c.suite).kx == policy::KeyExchange::DHE ? msg::KxKind::DHE : msg::KxKind::ECDHE;
    auto ske = msg::parse_server_key_exchange(ByteView(*ske_msg).subspan(4), kind,
                                              c.version == Version::TLS12);
    EXPECT_TRUE(ske.ok());
    if (!ske.ok()) return ske.error();
    switch (damage) {
      case SkeDamage::None:
        break;
      case SkeDamage::Signature:
        ske->signature.back() ^= 0x01;
        break;
      case SkeDamage::Params:
        // Garbage of the same length in place of the public value: the signature covers it,
        // so the client must reject the message before it ever uses the value.
        if (kind == msg::KxKind::ECDHE) {
          for (size_t i = 1; i < ske->point.size(); ++i) ske->point[i] = static_cast<uint8_t>(i);
        } else {
          for (size_t i = 0; i < ske->dh_ys.size(); ++i) ske->dh_ys[i] = static_cast<uint8_t>(i);
        }
        break;
    }
    Bytes rebuilt;
    EXPECT_TRUE(msg::serialize(*ske, rebuilt).ok());
    EXPECT_EQ(rebuilt.size(), ske_msg->size());
    if (damage == SkeDamage::None) {
      EXPECT_EQ(rebuilt, *ske_msg) << "the re-encoding differs";
    }
    *ske_msg = rebuilt;
    Bytes wire = f.wire();
    k->p.s2c.bytes.assign(wire.begin(), wire.end());
    auto r = negotiate(k->p.client);
    client_out = drain(k->p.c2s);
    return r;
  }
};

TEST_P(Tls12Ske, UntouchedFlightIsAccepted) {
  Bytes out;
  auto r = run(SkeDamage::None, out);
  ASSERT_FALSE(r.is_error()) << r.error().name() << ": " << r.error().message();
  // The client went on to its ClientKeyExchange, ChangeCipherSpec and Finished.
  Flight f = Flight::parse(out);
  ASSERT_FALSE(f.messages.empty());
  EXPECT_EQ(f.messages[0][0], static_cast<uint8_t>(msg::HandshakeType::client_key_exchange));
}

TEST_P(Tls12Ske, FlippedSignatureByteIsDecryptError) {
  Bytes out;
  auto r = run(SkeDamage::Signature, out);
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().name(), "S2N_ERR_VERIFY_SIGNATURE") << r.error().message();
  EXPECT_EQ(r.error().alert(), alert::decrypt_error);
  EXPECT_EQ(plaintext_alert(out), alert::decrypt_error);
}

TEST_P(Tls12Ske, ReplacedPublicValueIsDecryptError) {
  Bytes out;
  auto r = run(SkeDamage::Params, out);
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().name(), "S2N_ERR_VERIFY_SIGNATURE") << r.error().message();
  EXPECT_EQ(r.error().alert(), alert::decrypt_error);
  EXPECT_EQ(plaintext_alert(out), alert::decrypt_error);
}

std::string ske_name(const ::testing::TestParamInfo<SkeCase>& info) {
  return sv_name(::testing::TestParamInfo<SuiteVersion>(
      SuiteVersion{info.param.suite, info.param.version}, info.index));
}

INSTANTIATE_TEST_SUITE_P(
    Signatures, Tls12Ske,
    ::testing::Values(SkeCase{0xC02B, Version::TLS12},   // ECDSA P-256
                      SkeCase{0xC02F, Version::TLS12},   // RSA (PSS or PKCS#1, as negotiated)
                      SkeCase{0x009E, Version::TLS12},   // DHE, RSA signature
                      SkeCase{0xC013, Version::TLS10},   // RSA MD5+SHA-1, no scheme field
                      SkeCase{0xC009, Version::TLS11}),  // ECDSA SHA-1, no scheme field
    ske_name);

// ---- invalid key-exchange values from the client ----

// The client's second flight with its ClientKeyExchange value replaced by forge(real value,
// the server's first flight), fed to the server. Returns the server's result; `server_out`
// gets what the server wrote.
Poll<void> server_gets_client_key(uint16_t suite, std::vector<uint16_t> groups,
                                  const std::function<Bytes(const Bytes&, const Flight&)>& forge,
                                  Bytes& server_out) {
  auto k = make12(suite, Version::TLS12, std::move(groups));
  (void)k->p.client.poll_negotiate();
  (void)k->p.server.poll_negotiate();
  Flight server_flight = Flight::parse(Bytes(k->p.s2c.bytes.begin(), k->p.s2c.bytes.end()));
  auto c = negotiate(k->p.client);
  EXPECT_TRUE(c.is_pending()) << (c.is_error() ? c.error().message() : "ready");
  drain(k->p.s2c);
  Flight f = Flight::parse(drain(k->p.c2s));
  Bytes* cke_msg = f.find(msg::HandshakeType::client_key_exchange);
  EXPECT_NE(cke_msg, nullptr);
  if (cke_msg == nullptr) return make_error(Err::INTERNAL, "no ClientKeyExchange");
  const policy::KeyExchange kx = suite_of(suite).kx;
  const msg::KxKind kind = kx == policy::KeyExchange::DHE   ? msg::KxKind::DHE
                           : kx == policy::KeyExchange::RSA ? msg::KxKind::RSA
                                                            : msg::KxKind::ECDHE;
  auto cke = msg::parse_client_key_exchange(ByteView(*cke_msg).subspan(4), kind);
  EXPECT_TRUE(cke.ok());
  if (!cke.ok()) return cke.error();
  cke->exchange = forge(cke->exchange, server_flight);
  cke_msg->clear();
  EXPECT_TRUE(msg::serialize(*cke, *cke_msg).ok());
  Bytes wire = f.wire();
  k->p.c2s.bytes.assign(wire.begin(), wire.end());
  auto r = negotiate(k->p.server);
  server_out = drain(k->p.s2c);
  return r;
}

void expect_bad_key_share(const Poll<void>& r, ByteView server_out) {
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().name(), "S2N_ERR_BAD_KEY_SHARE") << r.error().message();
  EXPECT_EQ(r.error().alert(), alert::illegal_parameter);
  EXPECT_EQ(plaintext_alert(server_out), alert::illegal_parameter);
}

TEST(Tls12ClientKeyExchange, PointNotOnTheCurveIsIllegalParameter) {
  for (uint16_t group : {uint16_t{0x0017}, uint16_t{0x0018}}) {
    SCOPED_TRACE("group " + std::to_string(group));
    Bytes out;
    // An uncompressed point (0x04 || x || y) of the right length whose y does not fit x.
    auto r = server_gets_client_key(
        0xC02B, {group},
        [](const Bytes& real, const Flight&) {
          Bytes p = real;
          EXPECT_EQ(p[0], 0x04);
          p.back() ^= 0x01;
          return p;
        },
        out);
    expect_bad_key_share(r, out);
  }
}

TEST(Tls12ClientKeyExchange, GarbagePointsAreIllegalParameter) {
  const std::vector<std::function<Bytes(const Bytes&, const Flight&)>> forgeries = {
      // Same length, not a point at all.
      [](const Bytes& real, const Flight&) {
        Bytes p(real.size());
        for (size_t i = 0; i < p.size(); ++i) p[i] = static_cast<uint8_t>(0xA5 ^ i);
        p[0] = 0x04;
        return p;
      },
      // The compressed encoding (x only), which RFC 8422 5.1.2 lets the server refuse.
      [](const Bytes& real, const Flight&) {
        Bytes p(real.begin(), real.begin() + 33);
        p[0] = 0x02;
        return p;
      },
      // The point at infinity.
      [](const Bytes&, const Flight&) { return Bytes{0x00}; },
  };
  for (size_t i = 0; i < forgeries.size(); ++i) {
    SCOPED_TRACE("forgery " + std::to_string(i));
    Bytes out;
    auto r = server_gets_client_key(0xC02F, {0x0017}, forgeries[i], out);
    expect_bad_key_share(r, out);
  }
}

TEST(Tls12ClientKeyExchange, LowOrderX25519PointIsIllegalParameter) {
  Bytes out;
  // u = 0 (and u = 1) have small order: the shared secret would be all zeros.
  for (uint8_t u : {0, 1}) {
    auto r = server_gets_client_key(
        0xC02B, {0x001d},
        [u](const Bytes& real, const Flight&) {
          Bytes p(real.size(), 0);
          p[0] = u;
          return p;
        },
        out);
    expect_bad_key_share(r, out);
  }
}

TEST(Tls12ClientKeyExchange, DhPublicValueOutOfRangeIsIllegalParameter) {
  // Yc must lie in (1, p-1) (RFC 7919 5.1 style checks): 0, 1, p-1 and p are refused.
  const auto p_of = [](const Flight& f) {
    for (const Bytes& m : f.messages) {
      if (m[0] != static_cast<uint8_t>(msg::HandshakeType::server_key_exchange)) continue;
      auto ske = msg::parse_server_key_exchange(ByteView(m).subspan(4), msg::KxKind::DHE, true);
      EXPECT_TRUE(ske.ok());
      if (ske.ok()) return ske->dh_p;
    }
    ADD_FAILURE() << "no ServerKeyExchange";
    return Bytes{0x17};
  };
  const std::vector<std::function<Bytes(const Bytes&, const Flight&)>> forgeries = {
      [](const Bytes&, const Flight&) { return Bytes{0x00}; },
      [](const Bytes&, const Flight&) { return Bytes{0x01}; },
      [&](const Bytes&, const Flight& f) {
        Bytes p = p_of(f);
        p.back() -= 1;  // p is odd, so p - 1 only changes the last byte
        return p;
      },
      [&](const Bytes&, const Flight& f) { return p_of(f); },
      // Longer than p.
      [&](const Bytes&, const Flight& f) {
        Bytes p = p_of(f);
        p.insert(p.begin(), 0x01);
        return p;
      },
  };
  for (size_t i = 0; i < forgeries.size(); ++i) {
    SCOPED_TRACE("forgery " + std::to_string(i));
    Bytes out;
    auto r = server_gets_client_key(0x009E, all_groups(), forgeries[i], out);
    expect_bad_key_share(r, out);
  }
}

// RSA key exchange: a premaster that does not decrypt must not be told apart from one that
// does (Bleichenbacher): the server carries on with a random premaster and the handshake
// fails only at the client's Finished, with the same error and alert as a Finished record
// damaged in transit.
TEST(Tls12ClientKeyExchange, BadRsaPremasterFailsLikeABadFinished) {
  Bytes out;
  auto r = server_gets_client_key(
      0x009C, all_groups(),
      [](const Bytes& real, const Flight&) {
        Bytes c(real.size());
        for (size_t i = 0; i < c.size(); ++i) c[i] = static_cast<uint8_t>(0x3C + 7 * i);
        return c;
      },
      out);
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().name(), "S2N_ERR_DECRYPT") << r.error().message();
  EXPECT_EQ(r.error().alert(), alert::bad_record_mac);

  // The reference: a good premaster, the Finished record's last byte flipped.
  auto k = make12(0x009C);
  (void)k->p.client.poll_negotiate();
  (void)k->p.server.poll_negotiate();
  (void)negotiate(k->p.client);
  drain(k->p.s2c);
  k->p.c2s.bytes.back() ^= 0x01;
  auto ref = negotiate(k->p.server);
  ASSERT_TRUE(ref.is_error());
  EXPECT_EQ(ref.error().name(), r.error().name());
  EXPECT_EQ(ref.error().alert(), r.error().alert());
}

// ---- the TLS 1.3 downgrade sentinel (RFC 8446 4.1.3) ----

// The first flight of a server with `server_policy`, answering a client with `client_policy`
// capped at `client_cap`.
struct ServerFlight {
  Bytes wire;
  std::array<uint8_t, 32> server_random{};
};
ServerFlight server_flight(const Policy& client_policy, Version client_cap,
                           const Config& server_cfg) {
  Pair p(client_config(client_policy), server_cfg);
  p.client.state().test_max_version = client_cap;
  (void)p.client.poll_negotiate();
  (void)p.server.poll_negotiate();
  ServerFlight out;
  out.wire = drain(p.s2c);
  Flight f = Flight::parse(out.wire);
  EXPECT_FALSE(f.messages.empty());
  if (f.messages.empty()) return out;
  auto sh = msg::parse_server_hello(ByteView(f.messages[0]).subspan(4));
  EXPECT_TRUE(sh.ok());
  if (sh.ok()) out.server_random = sh->random;
  return out;
}

// `client` (which has sent its ClientHello) reads `wire` with the ServerHello's random ending
// in `tail` (if given).
Poll<void> client_reads_hello(Pair& p, ByteView wire, const uint8_t* tail, Bytes& client_out) {
  Flight f = Flight::parse(wire);
  auto sh = msg::parse_server_hello(ByteView(f.messages.at(0)).subspan(4));
  EXPECT_TRUE(sh.ok());
  if (!sh.ok()) return sh.error();
  if (tail != nullptr) std::copy(tail, tail + 8, sh->random.end() - 8);
  Bytes rebuilt;
  EXPECT_TRUE(msg::serialize(*sh, rebuilt).ok());
  EXPECT_EQ(rebuilt.size(), f.messages[0].size());
  f.messages[0] = rebuilt;
  drain(p.c2s);
  Bytes w = f.wire();
  p.s2c.bytes.assign(w.begin(), w.end());
  auto r = negotiate(p.client);
  client_out = drain(p.c2s);
  return r;
}

TEST(Tls12Downgrade, Tls13CapableClientRefusesTls12HelloWithEitherSentinel) {
  Policy12 server_pol({0xC02B});
  const Config server_cfg = server12("ecdsa-p256", server_pol.policy());
  for (const uint8_t* tail : {kSentinel12, kSentinel11}) {
    SCOPED_TRACE(tail == kSentinel12 ? "DOWNGRD\\x01" : "DOWNGRD\\x00");
    Pair p(client_config(), server_cfg);  // the default policy offers TLS 1.3
    (void)p.client.poll_negotiate();
    (void)p.server.poll_negotiate();
    Bytes wire = drain(p.s2c);
    Bytes out;
    auto r = client_reads_hello(p, wire, tail, out);
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error().name(), "S2N_ERR_PROTOCOL_DOWNGRADE_DETECTED") << r.error().message();
    EXPECT_EQ(r.error().alert(), alert::illegal_parameter);
    EXPECT_EQ(plaintext_alert(out), alert::illegal_parameter);
  }
}

TEST(Tls12Downgrade, Tls13CapableClientAcceptsTls12HelloWithoutSentinel) {
  // The same flight, re-framed but with the random untouched: the handshake completes.
  Policy12 server_pol({0xC02B});
  Pair p(client_config(), server12("ecdsa-p256", server_pol.policy()));
  (void)p.client.poll_negotiate();
  (void)p.server.poll_negotiate();
  Bytes wire = drain(p.s2c);
  Bytes out;
  auto r = client_reads_hello(p, wire, nullptr, out);
  ASSERT_FALSE(r.is_error()) << r.error().message();
  p.c2s.bytes.assign(out.begin(), out.end());
  ASSERT_FALSE(p.handshake()) << "the re-framed flight did not complete the handshake";
  EXPECT_EQ(*p.client.actual_protocol_version(), Version::TLS12);
}

TEST(Tls12Downgrade, Tls12OnlyClientIgnoresTheTls13Sentinel) {
  // RSA key exchange, so no signature covers the server random and the client goes on to
  // its ClientKeyExchange.
  Policy12 pol({0x009C});
  Pair p(client_config(pol.policy()), server12("rsa2048", pol.policy()));
  (void)p.client.poll_negotiate();
  (void)p.server.poll_negotiate();
  Bytes wire = drain(p.s2c);
  Bytes out;
  auto r = client_reads_hello(p, wire, kSentinel12, out);
  ASSERT_FALSE(r.is_error()) << r.error().name() << ": " << r.error().message();
  Flight f = Flight::parse(out);
  ASSERT_FALSE(f.messages.empty());
  EXPECT_EQ(f.messages[0][0], static_cast<uint8_t>(msg::HandshakeType::client_key_exchange));
}

TEST(Tls12Downgrade, ServersSetTheSentinelAndATls12ClientCatchesTls11) {
  // A TLS 1.3-capable server answering a TLS 1.2-only client marks its random with
  // DOWNGRD\x01 (and the TLS 1.2 client completes).
  {
    Policy12 client_pol({0xC02B});
    ServerFlight sf =
        server_flight(client_pol.policy(), Version::TLS12, server_config("ecdsa-p256"));
    EXPECT_TRUE(std::equal(sf.server_random.end() - 8, sf.server_random.end(), kSentinel12));
    Pair p(client_config(client_pol.policy()), server_config("ecdsa-p256"));
    ASSERT_FALSE(p.handshake());
    EXPECT_EQ(*p.client.actual_protocol_version(), Version::TLS12);
  }
  // A TLS 1.2-capable server answering a TLS 1.1 client marks it with DOWNGRD\x00 ...
  Policy12 pol({0xC013});
  const Config server_cfg = server12("rsa2048", pol.policy());
  ServerFlight sf = server_flight(pol.policy(), Version::TLS11, server_cfg);
  EXPECT_TRUE(std::equal(sf.server_random.end() - 8, sf.server_random.end(), kSentinel11));
  // ... and a client that could have had TLS 1.2 refuses that ServerHello.
  Pair p(client_config(pol.policy()), server_cfg);
  (void)p.client.poll_negotiate();
  drain(p.c2s);
  p.s2c.bytes.assign(sf.wire.begin(), sf.wire.end());
  auto r = negotiate(p.client);
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().name(), "S2N_ERR_PROTOCOL_DOWNGRADE_DETECTED") << r.error().message();
  EXPECT_EQ(r.error().alert(), alert::illegal_parameter);
  EXPECT_EQ(plaintext_alert(drain(p.c2s)), alert::illegal_parameter);
}

// ---- messages in the wrong place ----

// Writes one protected record of `type` from `from`, as its record layer would.
void inject(Connection& from, ContentType type, ByteView body) {
  ASSERT_TRUE(from.state().rl.write(type, body).ok());
  ASSERT_TRUE(from.state().flush().is_ready());
}

TEST(Tls12WrongPlace, KeyUpdateAfterTheHandshakeIsUnexpectedMessage) {
  const Bytes key_update = {24, 0, 0, 1, 0};
  for (bool to_client : {true, false}) {
    SCOPED_TRACE(to_client ? "to the client" : "to the server");
    auto k = make12(0xC02F);
    ASSERT_FALSE(k->p.handshake());
    Connection& sender = to_client ? k->p.server : k->p.client;
    Connection& receiver = to_client ? k->p.client : k->p.server;
    inject(sender, ContentType::handshake, key_update);
    std::string got;
    auto r = recv_all(receiver, got);
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error().kind(), ErrorKind::Protocol) << r.error().name();
    EXPECT_EQ(r.error().alert(), alert::unexpected_message) << r.error().name();
    expect_peer_reads_alert(sender, alert::unexpected_message);
  }
}

TEST(Tls12WrongPlace, NewSessionTicketAfterTheHandshakeIsUnexpectedMessage) {
  // RFC 5077 3.3: a TLS 1.2 NewSessionTicket belongs in the handshake, before the server's
  // ChangeCipherSpec. Here one in TLS 1.3 syntax arrives afterwards.
  Bytes nst;
  msg::NewSessionTicket t;
  t.lifetime = 60;
  t.nonce = {1};
  t.ticket = {1, 2, 3, 4};
  ASSERT_TRUE(msg::serialize(t, nst).ok());
  auto k = make12(0xC02F);
  ASSERT_FALSE(k->p.handshake());
  inject(k->p.server, ContentType::handshake, nst);
  std::string got;
  auto r = recv_all(k->p.client, got);
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().alert(), alert::unexpected_message) << r.error().name();
}

TEST(Tls12WrongPlace, ChangeCipherSpecAfterTheHandshakeIsUnexpectedMessage) {
  const Bytes ccs = {1};
  for (bool to_client : {true, false}) {
    SCOPED_TRACE(to_client ? "to the client" : "to the server");
    auto k = make12(0xC013);
    ASSERT_FALSE(k->p.handshake());
    Connection& sender = to_client ? k->p.server : k->p.client;
    Connection& receiver = to_client ? k->p.client : k->p.server;
    inject(sender, ContentType::change_cipher_spec, ccs);
    std::string got;
    auto r = recv_all(receiver, got);
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error().name(), "S2N_ERR_CCS_NOT_ALLOWED") << r.error().message();
    EXPECT_EQ(r.error().alert(), alert::unexpected_message);
    expect_peer_reads_alert(sender, alert::unexpected_message);
  }
}

TEST(Tls12WrongPlace, ChangeCipherSpecInTheServerFlightIsUnexpectedMessage) {
  // Right after the ServerHello, and right before the ServerHelloDone.
  for (size_t at : {size_t{1}, size_t{3}}) {
    SCOPED_TRACE("CCS before message " + std::to_string(at));
    auto k = make12(0xC02B);
    (void)k->p.client.poll_negotiate();
    (void)k->p.server.poll_negotiate();
    Flight f = Flight::parse(drain(k->p.s2c));
    ASSERT_EQ(f.messages.size(), 4u);  // ServerHello, Certificate, ServerKeyExchange, Done
    Bytes wire;
    for (size_t i = 0; i < f.messages.size(); ++i) {
      if (i == at) append(wire, record(20, Bytes{1}));
      append(wire, record(22, f.messages[i]));
    }
    k->p.s2c.bytes.assign(wire.begin(), wire.end());
    auto r = negotiate(k->p.client);
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error().name(), "S2N_ERR_CCS_NOT_ALLOWED") << r.error().message();
    EXPECT_EQ(r.error().alert(), alert::unexpected_message);
    EXPECT_EQ(plaintext_alert(drain(k->p.c2s)), alert::unexpected_message);
  }
}

TEST(Tls12WrongPlace, ClientFlightOutOfOrderIsUnexpectedMessage) {
  // The client's second flight (ClientKeyExchange, CCS, encrypted Finished) reshaped three
  // ways; each time the server must stop with unexpected_message in plaintext.
  enum Shape { CcsFirst, CcsInsideAMessage, FinishedWithoutCcs };
  for (Shape shape : {CcsFirst, CcsInsideAMessage, FinishedWithoutCcs}) {
    SCOPED_TRACE("shape " + std::to_string(shape));
    auto k = make12(0xC02F);
    (void)k->p.client.poll_negotiate();
    (void)k->p.server.poll_negotiate();
    (void)negotiate(k->p.client);
    drain(k->p.s2c);
    Flight f = Flight::parse(drain(k->p.c2s));
    ASSERT_EQ(f.messages.size(), 1u);  // the ClientKeyExchange
    const Bytes& cke = f.messages[0];
    Bytes wire;
    switch (shape) {
      case CcsFirst:
        append(wire, record(20, Bytes{1}));
        append(wire, record(22, cke));
        break;
      case CcsInsideAMessage: {
        // The CCS arrives while the start of another handshake message is buffered.
        Bytes partial = cke;
        append(partial, Bytes{20, 0});
        append(wire, record(22, partial));
        append(wire, record(20, Bytes{1}));
        break;
      }
      case FinishedWithoutCcs: {
        Bytes fin = {20, 0, 0, 12};
        fin.resize(16, 0x42);
        append(wire, record(22, cke));
        append(wire, record(22, fin));
        break;
      }
    }
    k->p.c2s.bytes.assign(wire.begin(), wire.end());
    auto r = negotiate(k->p.server);
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error().kind(), ErrorKind::Protocol) << r.error().name();
    EXPECT_EQ(r.error().alert(), alert::unexpected_message) << r.error().name();
    EXPECT_EQ(plaintext_alert(drain(k->p.s2c)), alert::unexpected_message);
  }
}

}  // namespace
}  // namespace snr::test
