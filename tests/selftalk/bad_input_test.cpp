// Hostile and broken peers: truncated, corrupted, reordered and oversized input must end in
// an Error and the right alert on the wire — never a crash, a hang or an accepted handshake.
#include <gtest/gtest.h>

#include "msg/messages.hpp"
#include "pair.hpp"
#include "util/alerts.hpp"

namespace snr::test {
namespace {

Bytes record(uint8_t type, ByteView body) {
  Bytes r = {type, 0x03, 0x03, static_cast<uint8_t>(body.size() >> 8),
             static_cast<uint8_t>(body.size())};
  r.insert(r.end(), body.begin(), body.end());
  return r;
}

Bytes drain(Pipe& p) {
  Bytes b(p.bytes.begin(), p.bytes.end());
  p.bytes.clear();
  return b;
}

// The client's first flight (the ClientHello record) from a real client.
Bytes real_client_hello_record(const Policy& policy = Policy::DEFAULT) {
  Pair p(client_config(policy), server_config("ecdsa-p256"));
  (void)p.client.poll_negotiate();
  return drain(p.c2s);
}

// One connection fed `input` (then EOF if `eof`), driven until it stops making progress.
struct Fed {
  Pipe in, out;
  Connection conn;
  explicit Fed(Mode mode, ByteView input, bool eof = true) : conn(mode) {
    in.bytes.assign(input.begin(), input.end());
    in.closed = eof;
    (void)conn.set_send_callback([this](const uint8_t* b, uint32_t n) { return out.write(b, n); });
    (void)conn.set_receive_callback([this](uint8_t* b, uint32_t n) { return in.read(b, n); });
  }
  Poll<void> run() {
    for (int i = 0;; ++i) {
      auto r = conn.poll_negotiate();
      if (!r.is_pending() || i > 1000) return r;
      if (in.bytes.empty()) return r;
    }
  }
  // The alert description of the last record written, if it is a plaintext or encrypted
  // alert we can read (plaintext only: encrypted alerts are checked through Error::alert()).
  std::optional<uint8_t> plaintext_alert() const {
    Bytes b(out.bytes.begin(), out.bytes.end());
    size_t pos = 0;
    std::optional<uint8_t> last;
    while (pos + 5 <= b.size()) {
      size_t len = (size_t{b[pos + 3]} << 8) | b[pos + 4];
      if (b[pos] == 21 && len == 2 && pos + 7 <= b.size()) last = b[pos + 6];
      pos += 5 + len;
    }
    return last;
  }
};

Fed make_server(ByteView input, bool eof = true) {
  Fed f(Mode::Server, input, eof);
  (void)f.conn.set_config(server_config("ecdsa-p256"));
  return f;
}

TEST(BadInput, EveryTruncationOfTheClientHelloRecordFailsCleanly) {
  Bytes ch = real_client_hello_record();
  ASSERT_GT(ch.size(), 100u);
  for (size_t len = 0; len < ch.size(); ++len) {
    Fed f = make_server(ByteView(ch).first(len));
    auto r = f.run();
    ASSERT_TRUE(r.is_error()) << "length " << len;
    EXPECT_EQ(r.error().kind(), ErrorKind::Closed)
        << "length " << len << ": " << r.error().message();
  }
}

// Truncations with consistent record and message lengths reach the parser. A cut inside a
// field is refused with an alert (decode_error and friends). A cut on an extension boundary
// can leave a well-formed TLS 1.2 hello (no supported_versions): the server then answers it
// with a ServerHello and the EOF that follows closes the connection — nothing else is allowed.
TEST(BadInput, EveryTruncationOfTheClientHelloMessageIsRefusedOrAnsweredAsTls12) {
  Bytes rec = real_client_hello_record();
  ByteView body = ByteView(rec).subspan(5 + 4);
  for (size_t len = 0; len < body.size(); ++len) {
    Bytes msg = {1, 0, static_cast<uint8_t>(len >> 8), static_cast<uint8_t>(len)};
    msg.insert(msg.end(), body.begin(), body.begin() + static_cast<std::ptrdiff_t>(len));
    Fed f = make_server(record(22, msg));
    auto r = f.run();
    ASSERT_TRUE(r.is_error()) << "length " << len;
    if (r.error().kind() == ErrorKind::Closed) {
      Bytes out(f.out.bytes.begin(), f.out.bytes.end());
      ASSERT_GT(out.size(), 6u) << "length " << len;
      EXPECT_EQ(out[0], 22) << "length " << len;  // a handshake record...
      EXPECT_EQ(out[5], 2) << "length " << len;   // ...starting with a ServerHello
      EXPECT_EQ(out[1] << 8 | out[2], 0x0303) << "length " << len;
      continue;
    }
    EXPECT_EQ(r.error().kind(), ErrorKind::Protocol)
        << "length " << len << ": " << r.error().message();
    ASSERT_TRUE(r.error().alert().has_value()) << "length " << len;
    EXPECT_EQ(f.plaintext_alert(), r.error().alert()) << "length " << len;
    uint8_t a = *r.error().alert();
    EXPECT_TRUE(a == alert::decode_error || a == alert::missing_extension ||
                a == alert::illegal_parameter || a == alert::handshake_failure ||
                a == alert::protocol_version)
        << "length " << len << " alert " << int(a);
  }
}

TEST(BadInput, EveryTruncationOfTheServerHelloIsRefusedWithAnAlert) {
  Pair p(client_config(), server_config("ecdsa-p256"));
  (void)p.client.poll_negotiate();
  Bytes ch = drain(p.c2s);
  Fed server = make_server(ch, false);
  (void)server.run();
  Bytes flight(server.out.bytes.begin(), server.out.bytes.end());
  ASSERT_EQ(flight[0], 22);
  size_t sh_len = (size_t{flight[3]} << 8) | flight[4];
  ByteView body = ByteView(flight).subspan(5 + 4, sh_len - 4);
  for (size_t len = 0; len < body.size(); ++len) {
    Bytes msg = {2, 0, static_cast<uint8_t>(len >> 8), static_cast<uint8_t>(len)};
    msg.insert(msg.end(), body.begin(), body.begin() + static_cast<std::ptrdiff_t>(len));
    // The client that sent `ch` is the one that must judge its ServerHello.
    Pair q(client_config(), server_config("ecdsa-p256"));
    (void)q.client.poll_negotiate();
    q.c2s.bytes.clear();
    Bytes rec = record(22, msg);
    q.s2c.bytes.assign(rec.begin(), rec.end());
    q.s2c.closed = true;
    auto r = q.client.poll_negotiate();
    ASSERT_TRUE(r.is_error()) << "length " << len;
    EXPECT_EQ(r.error().kind(), ErrorKind::Protocol)
        << "length " << len << ": " << r.error().message();
    EXPECT_TRUE(r.error().alert().has_value()) << "length " << len;
  }
}

TEST(BadInput, BitFlipsInEncryptedServerRecordsAreBadRecordMac) {
  Pair p(client_config(), server_config("ecdsa-p256"));
  (void)p.client.poll_negotiate();
  (void)p.server.poll_negotiate();
  Bytes flight = drain(p.s2c);
  // Locate the first encrypted record (type 23) after ServerHello and CCS.
  size_t pos = 0;
  while (pos + 5 <= flight.size() && flight[pos] != 23)
    pos += 5 + ((size_t{flight[pos + 3]} << 8) | flight[pos + 4]);
  ASSERT_LT(pos + 5, flight.size());
  size_t len = (size_t{flight[pos + 3]} << 8) | flight[pos + 4];
  for (size_t i = 0; i < len; i += std::max<size_t>(1, len / 64)) {
    // Keys differ per connection: flip a bit in a flight negotiated for this client.
    Pair q(client_config(), server_config("ecdsa-p256"));
    (void)q.client.poll_negotiate();
    (void)q.server.poll_negotiate();
    Bytes f = drain(q.s2c);
    size_t qp = 0;
    while (qp + 5 <= f.size() && f[qp] != 23) qp += 5 + ((size_t{f[qp + 3]} << 8) | f[qp + 4]);
    size_t qlen = (size_t{f[qp + 3]} << 8) | f[qp + 4];
    f[qp + 5 + (i % qlen)] ^= 0x01;
    q.s2c.bytes.assign(f.begin(), f.end());
    auto r = q.client.poll_negotiate();
    ASSERT_TRUE(r.is_error()) << "offset " << i;
    EXPECT_EQ(r.error().name(), "S2N_ERR_DECRYPT");
    EXPECT_EQ(r.error().alert(), alert::bad_record_mac);
  }
}

TEST(BadInput, MessagesOutOfOrderAreUnexpectedMessage) {
  // A server's first message must be a ClientHello.
  Bytes fin = {20, 0, 0, 32};
  fin.resize(36, 0xaa);
  Fed f = make_server(record(22, fin));
  auto r = f.run();
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().alert(), alert::unexpected_message);
  EXPECT_EQ(f.plaintext_alert(), alert::unexpected_message);

  // A client expecting ServerHello gets a Certificate.
  Pair p(client_config(), server_config("ecdsa-p256"));
  (void)p.client.poll_negotiate();
  Bytes cert = {11, 0, 0, 4, 0, 0, 0, 0};
  Bytes rec = record(22, cert);
  p.s2c.bytes.assign(rec.begin(), rec.end());
  auto c = p.client.poll_negotiate();
  ASSERT_TRUE(c.is_error());
  EXPECT_EQ(c.error().alert(), alert::unexpected_message);
}

TEST(BadInput, ApplicationDataBeforeTheHandshakeIsUnexpected) {
  Bytes data = {'G', 'E', 'T'};
  Fed f = make_server(record(23, data));
  auto r = f.run();
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().alert(), alert::unexpected_message);
}

TEST(BadInput, PlainHttpIsRejected) {
  std::string http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  Fed f = make_server(as_bytes(http));
  auto r = f.run();
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().kind(), ErrorKind::Protocol);
  EXPECT_TRUE(r.error().alert().has_value());
}

TEST(BadInput, DuplicateExtensionIsIllegalParameter) {
  Bytes rec = real_client_hello_record();
  auto ch = msg::parse_client_hello(ByteView(rec).subspan(9));
  ASSERT_TRUE(ch.ok());
  Bytes m;
  ASSERT_TRUE(msg::serialize(*ch, m).ok());
  // serialize() refuses duplicates, so append a second supported_versions by hand and patch
  // the extension block and message lengths.
  const size_t ext_at = 4 + 2 + 32 + 1 + ch->session_id.size() + 2 + 2 * ch->cipher_suites.size() +
                        1 + ch->compression_methods.size();
  const Bytes dup = {0x00, 0x2b, 0x00, 0x03, 0x02, 0x03, 0x04};
  m.insert(m.end(), dup.begin(), dup.end());
  size_t ext_len = ((size_t{m[ext_at]} << 8) | m[ext_at + 1]) + dup.size();
  m[ext_at] = static_cast<uint8_t>(ext_len >> 8);
  m[ext_at + 1] = static_cast<uint8_t>(ext_len);
  size_t body = m.size() - 4;
  m[1] = static_cast<uint8_t>(body >> 16);
  m[2] = static_cast<uint8_t>(body >> 8);
  m[3] = static_cast<uint8_t>(body);
  Fed f = make_server(record(22, m));
  auto r = f.run();
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().name(), "S2N_ERR_DUPLICATE_EXTENSION");
  EXPECT_EQ(f.plaintext_alert(), alert::illegal_parameter);
}

TEST(BadInput, OversizedLengthsAreRefused) {
  // A record longer than 2^14 (plaintext) is record_overflow.
  Bytes hdr = {22, 3, 3, 0x40, 0x01};
  Fed f = make_server(hdr);
  auto r = f.run();
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().alert(), alert::record_overflow);
  // A handshake message claiming 16 MiB is refused before it is buffered.
  Bytes big = {1, 0xff, 0xff, 0xff, 0, 0, 0, 0};
  Fed g = make_server(record(22, big), false);
  auto s = g.run();
  ASSERT_TRUE(s.is_error());
  EXPECT_EQ(s.error().name(), "S2N_ERR_MAX_HANDSHAKE_MESSAGE_SIZE");
}

TEST(BadInput, MissingKeyShareAndVersionsExtensions) {
  Bytes rec = real_client_hello_record();
  auto ch = msg::parse_client_hello(ByteView(rec).subspan(9));
  ASSERT_TRUE(ch.ok());
  auto without = [&](uint16_t type) {
    msg::ClientHello c = *ch;
    c.ext.order.erase(std::remove(c.ext.order.begin(), c.ext.order.end(), type), c.ext.order.end());
    Bytes m;
    (void)msg::serialize(c, m);
    Fed f = make_server(record(22, m));
    auto r = f.run();
    return r.is_error() ? r.error().alert() : std::nullopt;
  };
  EXPECT_EQ(without(msg::ext::key_share), alert::missing_extension);
  EXPECT_EQ(without(msg::ext::signature_algorithms), alert::missing_extension);
}

TEST(BadInput, Tls12ClientAgainstTls13OnlyServerIsProtocolVersion) {
  Bytes rec = real_client_hello_record();
  auto ch = msg::parse_client_hello(ByteView(rec).subspan(9));
  ASSERT_TRUE(ch.ok());
  msg::ClientHello c = *ch;
  // Without supported_versions the client is a TLS 1.2 client.
  c.ext.order.erase(
      std::remove(c.ext.order.begin(), c.ext.order.end(), msg::ext::supported_versions),
      c.ext.order.end());
  Bytes m;
  ASSERT_TRUE(msg::serialize(c, m).ok());
  static const uint16_t k13[] = {0x1301};
  static const uint16_t kSchemes[] = {0x0403};
  static const uint16_t kGroups[] = {0x0017};
  static const detail::PolicyData only13{"tls13only", Version::TLS13, k13, kSchemes, kGroups, {}};
  Fed f(Mode::Server, record(22, m));
  ASSERT_TRUE(f.conn.set_config(server_config("ecdsa-p256", Policy(&only13))).ok());
  auto r = f.run();
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().alert(), alert::protocol_version);
}

TEST(BadInput, PeerAlertSurfacesAsAlertError) {
  Pair p(client_config(), server_config("ecdsa-p256"));
  (void)p.client.poll_negotiate();
  Bytes a = {2, alert::handshake_failure};
  Bytes rec = record(21, a);
  p.s2c.bytes.assign(rec.begin(), rec.end());
  auto r = p.client.poll_negotiate();
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().kind(), ErrorKind::Alert);
  EXPECT_EQ(r.error().alert(), alert::handshake_failure);
  EXPECT_EQ(p.client.alert(), alert::handshake_failure);
}

TEST(BadInput, NoCommonSuiteOrGroupIsHandshakeFailure) {
  // A ClientHello offering only a suite snr does not implement.
  Bytes rec = real_client_hello_record();
  auto ch = msg::parse_client_hello(ByteView(rec).subspan(9));
  ASSERT_TRUE(ch.ok());
  msg::ClientHello c = *ch;
  c.cipher_suites = {0x1304};  // TLS_AES_128_CCM_SHA256: not implemented
  Bytes m;
  ASSERT_TRUE(msg::serialize(c, m).ok());
  Fed f = make_server(record(22, m));
  auto r = f.run();
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().alert(), alert::handshake_failure);

  c = *ch;
  c.ext.supported_groups = {0x0100};  // ffdhe2048 only
  c.ext.key_shares = {};
  m.clear();
  ASSERT_TRUE(msg::serialize(c, m).ok());
  Fed g = make_server(record(22, m));
  auto s = g.run();
  ASSERT_TRUE(s.is_error());
  EXPECT_EQ(s.error().alert(), alert::handshake_failure);
}

}  // namespace
}  // namespace snr::test
