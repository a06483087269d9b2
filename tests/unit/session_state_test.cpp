// Session state and client session blobs (src/resume/session_state): the documented layout,
// round trips for TLS 1.2 and TLS 1.3, and the strictness of the decoder.
#include "resume/session_state.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "util/error_code.hpp"

namespace snr::resume {
namespace {

Bytes pattern(size_t n, uint8_t seed) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(seed + i * 13);
  return b;
}

SessionState tls13_state() {
  SessionState s;
  s.version = Version::TLS13;
  s.cipher_suite = 0x1301;
  s.issue_time = 0x0123456789ABCDEFull;
  s.lifetime = 7 * 24 * 3600;
  s.ticket_age_add = 0xDEADBEEF;
  s.keying_material_expiry = 0x1122334455667788ull;
  s.max_early_data = 16384;
  s.secret = SecureBytes(pattern(32, 1));
  s.alpn = {'h', '2'};
  s.server_name = "example.com";
  return s;
}

SessionState tls12_state() {
  SessionState s;
  s.version = Version::TLS12;
  s.cipher_suite = 0xC02F;
  s.issue_time = 1735689600ull * 1000000000ull;
  s.lifetime = 3600;
  s.extended_master_secret = true;
  s.secret = SecureBytes(pattern(48, 7));
  return s;
}

void expect_same(const SessionState& a, const SessionState& b) {
  EXPECT_EQ(a.version, b.version);
  EXPECT_EQ(a.cipher_suite, b.cipher_suite);
  EXPECT_EQ(a.issue_time, b.issue_time);
  EXPECT_EQ(a.lifetime, b.lifetime);
  EXPECT_EQ(a.ticket_age_add, b.ticket_age_add);
  EXPECT_EQ(a.keying_material_expiry, b.keying_material_expiry);
  EXPECT_EQ(a.max_early_data, b.max_early_data);
  EXPECT_EQ(a.extended_master_secret, b.extended_master_secret);
  EXPECT_EQ(Bytes(a.secret.view().begin(), a.secret.view().end()),
            Bytes(b.secret.view().begin(), b.secret.view().end()));
  EXPECT_EQ(a.alpn, b.alpn);
  EXPECT_EQ(a.server_name, b.server_name);
}

Bytes encode(const SessionState& s) {
  Bytes out;
  EXPECT_TRUE(encode_state(s, out).ok());
  return out;
}

Bytes encode(const ClientSession& s) {
  Bytes out;
  EXPECT_TRUE(encode_client_session(s, out).ok());
  return out;
}

void expect_invalid_state(ByteView in) {
  auto r = decode_state(in);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(err_of(r.error()), Err::INVALID_SERIALIZED_SESSION_STATE);
}

void expect_invalid_session(ByteView in) {
  auto r = decode_client_session(in);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(err_of(r.error()), Err::INVALID_SERIALIZED_SESSION_STATE);
}

// Offsets into the state encoding.
constexpr size_t kFormatAt = 0;
constexpr size_t kVersionAt = 1;
constexpr size_t kSuiteAt = 2;
constexpr size_t kFlagsAt = 32;
constexpr size_t kSecretLenAt = 33;

TEST(SessionStateTest, LayoutIsTheDocumentedOne) {
  const Bytes enc = encode(tls13_state());
  Bytes expected = {1,    34,   0x13, 0x01,                          // format..suite
                    0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF,  // issue_time
                    0x00, 0x09, 0x3A, 0x80,                          // lifetime
                    0xDE, 0xAD, 0xBE, 0xEF,                          // ticket_age_add
                    0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,  // km expiry
                    0x00, 0x00, 0x40, 0x00,                          // max_early_data
                    0x00,                                            // flags
                    32};
  const Bytes secret = pattern(32, 1);
  expected.insert(expected.end(), secret.begin(), secret.end());
  expected.insert(expected.end(), {2, 'h', '2', 11});
  const std::string host = "example.com";
  expected.insert(expected.end(), host.begin(), host.end());
  EXPECT_EQ(enc, expected);
}

TEST(SessionStateTest, RoundTripTls13) {
  const SessionState s = tls13_state();
  const Bytes enc = encode(s);
  auto d = decode_state(enc);
  ASSERT_TRUE(d.ok()) << d.error().message();
  expect_same(s, *d);
  EXPECT_EQ(encode(*d), enc);
}

TEST(SessionStateTest, RoundTripTls13Sha384) {
  SessionState s = tls13_state();
  s.cipher_suite = 0x1302;
  s.secret = SecureBytes(pattern(48, 3));
  s.alpn.clear();
  s.server_name.clear();
  s.max_early_data = 0;
  auto d = decode_state(encode(s));
  ASSERT_TRUE(d.ok()) << d.error().message();
  expect_same(s, *d);
}

TEST(SessionStateTest, RoundTripTls12) {
  const SessionState s = tls12_state();
  const Bytes enc = encode(s);
  EXPECT_EQ(enc[kFlagsAt], 1);
  auto d = decode_state(enc);
  ASSERT_TRUE(d.ok()) << d.error().message();
  expect_same(s, *d);
  EXPECT_TRUE(d->extended_master_secret);

  SessionState no_ems = tls12_state();
  no_ems.extended_master_secret = false;
  no_ems.version = Version::TLS10;
  no_ems.cipher_suite = 0x002F;
  auto d2 = decode_state(encode(no_ems));
  ASSERT_TRUE(d2.ok()) << d2.error().message();
  expect_same(no_ems, *d2);
}

TEST(SessionStateTest, EncodeAppends) {
  Bytes out = {0xAA, 0xBB};
  ASSERT_TRUE(encode_state(tls12_state(), out).ok());
  ASSERT_GT(out.size(), 2u);
  EXPECT_EQ(out[0], 0xAA);
  EXPECT_EQ(out[1], 0xBB);
  EXPECT_TRUE(decode_state(ByteView(out).subspan(2)).ok());
}

TEST(SessionStateTest, ClientSessionTicketRoundTrip) {
  ClientSession cs;
  cs.kind = ClientSession::Kind::Ticket;
  cs.id = pattern(300, 9);
  cs.state = tls13_state();
  const Bytes enc = encode(cs);
  ASSERT_GE(enc.size(), 3u);
  EXPECT_EQ(enc[0], 1);
  EXPECT_EQ(enc[1], 0x01);  // 300 = 0x012C
  EXPECT_EQ(enc[2], 0x2C);
  // The state follows the id unchanged.
  EXPECT_EQ(Bytes(enc.begin() + 3 + 300, enc.end()), encode(cs.state));
  auto d = decode_client_session(enc);
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->kind, ClientSession::Kind::Ticket);
  EXPECT_EQ(d->id, cs.id);
  expect_same(cs.state, d->state);
  EXPECT_EQ(encode(*d), enc);
}

TEST(SessionStateTest, ClientSessionIdRoundTrip) {
  ClientSession cs;
  cs.kind = ClientSession::Kind::SessionId;
  cs.id = pattern(32, 4);
  cs.state = tls12_state();
  const Bytes enc = encode(cs);
  EXPECT_EQ(enc[0], 0);
  auto d = decode_client_session(enc);
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->kind, ClientSession::Kind::SessionId);
  EXPECT_EQ(d->id, cs.id);
  expect_same(cs.state, d->state);
}

TEST(SessionStateTest, LargestTicketRoundTrips) {
  ClientSession cs;
  cs.id = pattern(0xFFFF, 2);
  cs.state = tls13_state();
  auto d = decode_client_session(encode(cs));
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->id, cs.id);
}

TEST(SessionStateTest, EveryTruncationFails) {
  for (const SessionState& s : {tls12_state(), tls13_state()}) {
    const Bytes enc = encode(s);
    for (size_t n = 0; n < enc.size(); ++n) {
      SCOPED_TRACE(n);
      expect_invalid_state(ByteView(enc).first(n));
    }
  }
  ClientSession cs;
  cs.id = pattern(40, 5);
  cs.state = tls13_state();
  const Bytes enc = encode(cs);
  for (size_t n = 0; n < enc.size(); ++n) {
    SCOPED_TRACE(n);
    expect_invalid_session(ByteView(enc).first(n));
  }
}

TEST(SessionStateTest, TrailingByteFails) {
  Bytes enc = encode(tls13_state());
  enc.push_back(0);
  expect_invalid_state(enc);

  ClientSession cs;
  cs.id = {1, 2, 3};
  cs.state = tls12_state();
  Bytes blob = encode(cs);
  blob.push_back(0);
  expect_invalid_session(blob);
}

TEST(SessionStateTest, BadFormatByte) {
  for (uint8_t format : {0, 2, 0xFF}) {
    Bytes enc = encode(tls13_state());
    enc[kFormatAt] = format;
    expect_invalid_state(enc);
  }
}

TEST(SessionStateTest, UnknownVersion) {
  for (uint8_t v : {0, 20, 35, 0x03, 0xFF}) {
    SCOPED_TRACE(int{v});
    Bytes enc = encode(tls12_state());
    enc[kVersionAt] = v;
    expect_invalid_state(enc);
  }
}

TEST(SessionStateTest, UnknownOrMismatchedSuite) {
  Bytes enc = encode(tls13_state());
  enc[kSuiteAt] = 0xFA;
  enc[kSuiteAt + 1] = 0xFA;
  expect_invalid_state(enc);

  // A TLS 1.2 suite in a TLS 1.3 state, and the other way round (secret sizes fit).
  SessionState s13 = tls13_state();
  s13.cipher_suite = 0xC030;
  s13.secret = SecureBytes(pattern(48, 1));
  Bytes out;
  EXPECT_FALSE(encode_state(s13, out).ok());
  Bytes enc13 = encode(tls13_state());
  enc13[kSuiteAt] = 0xC0;
  enc13[kSuiteAt + 1] = 0x2F;
  expect_invalid_state(enc13);

  Bytes enc12 = encode(tls12_state());
  enc12[kSuiteAt] = 0x13;
  enc12[kSuiteAt + 1] = 0x02;
  expect_invalid_state(enc12);

  // A TLS 1.2-only suite in a TLS 1.0 session.
  Bytes enc10 = encode(tls12_state());
  enc10[kVersionAt] = static_cast<uint8_t>(Version::TLS10);
  expect_invalid_state(enc10);
}

TEST(SessionStateTest, WrongSecretLength) {
  struct Case {
    SessionState state;
    size_t len;
  };
  // TLS 1.3 SHA-256 needs 32 bytes, SHA-384 48, TLS 1.2 48.
  SessionState s384 = tls13_state();
  s384.cipher_suite = 0x1302;
  s384.secret = SecureBytes(pattern(48, 1));
  for (const Case& c :
       {Case{tls13_state(), 31}, Case{tls13_state(), 33}, Case{tls13_state(), 48}, Case{s384, 32},
        Case{tls12_state(), 47}, Case{tls12_state(), 32}, Case{tls12_state(), 49}}) {
    SCOPED_TRACE(c.len);
    SessionState s = c.state;
    s.secret = SecureBytes(pattern(c.len, 1));
    Bytes out = {0x55};
    auto st = encode_state(s, out);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(err_of(st.error()), Err::INVALID_SERIALIZED_SESSION_STATE);
    EXPECT_EQ(out, Bytes{0x55});  // nothing written on failure

    // The same thing arrived at by editing a valid encoding.
    Bytes enc = encode(c.state);
    const size_t old_len = enc[kSecretLenAt];
    Bytes edited(enc.begin(), enc.begin() + kSecretLenAt);
    edited.push_back(static_cast<uint8_t>(c.len));
    const Bytes secret = pattern(c.len, 1);
    edited.insert(edited.end(), secret.begin(), secret.end());
    edited.insert(edited.end(), enc.begin() + kSecretLenAt + 1 + old_len, enc.end());
    expect_invalid_state(edited);
  }
  SessionState empty = tls13_state();
  empty.secret = SecureBytes();
  Bytes out;
  EXPECT_FALSE(encode_state(empty, out).ok());
}

TEST(SessionStateTest, UnknownFlagsFail) {
  Bytes enc = encode(tls12_state());
  // Bits 0 (extended_master_secret) and 1 (client authenticated) are known.
  enc[kFlagsAt] = 0x04;
  expect_invalid_state(enc);
  enc[kFlagsAt] = 0x07;
  expect_invalid_state(enc);
  enc[kFlagsAt] = 0x80;
  expect_invalid_state(enc);
}

TEST(SessionStateTest, OverlongFieldsAreNotEncoded) {
  SessionState s = tls13_state();
  s.alpn = Bytes(256, 'a');
  Bytes out;
  EXPECT_FALSE(encode_state(s, out).ok());
  s = tls13_state();
  s.server_name = std::string(256, 'a');
  EXPECT_FALSE(encode_state(s, out).ok());
  EXPECT_TRUE(out.empty());
  s.server_name = std::string(255, 'a');
  EXPECT_TRUE(encode_state(s, out).ok());
}

TEST(SessionStateTest, BadIdLengths) {
  ClientSession cs;
  cs.state = tls12_state();
  Bytes out;
  cs.kind = ClientSession::Kind::Ticket;
  EXPECT_FALSE(encode_client_session(cs, out).ok());  // empty ticket
  cs.kind = ClientSession::Kind::SessionId;
  EXPECT_FALSE(encode_client_session(cs, out).ok());  // empty session id
  cs.id = pattern(33, 1);
  EXPECT_FALSE(encode_client_session(cs, out).ok());  // session id over 32 bytes
  cs.kind = ClientSession::Kind::Ticket;
  cs.id = pattern(0x10000, 1);
  EXPECT_FALSE(encode_client_session(cs, out).ok());
  EXPECT_TRUE(out.empty());

  const Bytes state = encode(tls12_state());
  for (uint8_t kind : {0, 1}) {
    Bytes blob = {kind, 0, 0};
    blob.insert(blob.end(), state.begin(), state.end());
    expect_invalid_session(blob);
  }
  // A 33-byte session id, and the same 33 bytes as a ticket (fine).
  Bytes blob = {0, 0, 33};
  const Bytes id = pattern(33, 2);
  blob.insert(blob.end(), id.begin(), id.end());
  blob.insert(blob.end(), state.begin(), state.end());
  expect_invalid_session(blob);
  blob[0] = 1;
  EXPECT_TRUE(decode_client_session(blob).ok());
  // An unknown kind.
  blob[0] = 2;
  expect_invalid_session(blob);
}

TEST(SessionStateTest, RandomBytesNeverCrash) {
  std::mt19937_64 rng(12345);
  size_t accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    Bytes in(rng() % 200);
    for (uint8_t& b : in) b = static_cast<uint8_t>(rng());
    auto st = decode_state(in);
    auto cs = decode_client_session(in);
    if (!st.ok()) {
      EXPECT_EQ(err_of(st.error()), Err::INVALID_SERIALIZED_SESSION_STATE);
    }
    if (!cs.ok()) {
      EXPECT_EQ(err_of(cs.error()), Err::INVALID_SERIALIZED_SESSION_STATE);
    }
    accepted += st.ok() + cs.ok();
  }
  EXPECT_EQ(accepted, 0u);  // pure noise essentially never has the exact structure

  // Mutations of valid blobs: whatever decodes re-encodes to the very same bytes.
  ClientSession base;
  base.id = pattern(20, 3);
  base.state = tls13_state();
  const Bytes valid = encode(base);
  size_t decoded = 0;
  for (int i = 0; i < 20000; ++i) {
    Bytes in = valid;
    const int flips = 1 + static_cast<int>(rng() % 3);
    for (int f = 0; f < flips; ++f) in[rng() % in.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
    auto cs = decode_client_session(in);
    if (!cs.ok()) {
      EXPECT_EQ(err_of(cs.error()), Err::INVALID_SERIALIZED_SESSION_STATE);
      continue;
    }
    ++decoded;
    Bytes again;
    ASSERT_TRUE(encode_client_session(*cs, again).ok());
    EXPECT_EQ(again, in);
  }
  EXPECT_GT(decoded, 0u);  // most flips land in free-form fields
}

}  // namespace
}  // namespace snr::resume
