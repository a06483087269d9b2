// SSLv2-format CLIENT-HELLO (RFC 5246 E.2): the converter to a ClientHello, its record framing,
// and the record layer's max_fragment_length limit (RFC 6066 4) with the extension's codec.
#include "msg/sslv2_hello.hpp"

#include <gtest/gtest.h>

#include <array>
#include <random>
#include <vector>

#include "msg/messages.hpp"
#include "record/record_layer.hpp"
#include "snr/client_hello.hpp"
#include "util/error_code.hpp"

namespace snr {
namespace {

using msg::ContentType;
using Spec = std::array<uint8_t, 3>;

Bytes challenge_of(size_t n) {
  Bytes c(n);
  for (size_t i = 0; i < n; ++i) c[i] = static_cast<uint8_t>(0xA0 + i);
  return c;
}

void put16(Bytes& b, size_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}

// The SSLv2 message (msg_type onwards, no record header).
Bytes sslv2_message(uint16_t version, const std::vector<Spec>& specs, ByteView session_id,
                    ByteView challenge) {
  Bytes m{msg::kSslv2ClientHello};
  put16(m, version);
  put16(m, specs.size() * 3);
  put16(m, session_id.size());
  put16(m, challenge.size());
  for (const Spec& s : specs) m.insert(m.end(), s.begin(), s.end());
  m.insert(m.end(), session_id.begin(), session_id.end());
  m.insert(m.end(), challenge.begin(), challenge.end());
  return m;
}

// With its 2-byte header: the high bit set, then the length.
Bytes sslv2_record(ByteView message) {
  Bytes r;
  put16(r, 0x8000 | message.size());
  r.insert(r.end(), message.begin(), message.end());
  return r;
}

const std::vector<Spec> kSpecs = {
    {0x00, 0xC0, 0x2F},  // TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    {0x07, 0x00, 0xC0},  // SSL_CK_DES_192_EDE3_CBC_WITH_MD5 (SSLv2 only: dropped)
    {0x00, 0x00, 0x2F},  // TLS_RSA_WITH_AES_128_CBC_SHA
    {0x01, 0x00, 0x80},  // SSL_CK_RC4_128_WITH_MD5 (dropped)
    {0x00, 0x00, 0xFF},  // TLS_EMPTY_RENEGOTIATION_INFO_SCSV
};

Err err(const Error& e) { return err_of(e); }

TEST(Sslv2Hello, ConvertsToAClientHello) {
  const Bytes challenge = challenge_of(32);
  auto ch = msg::parse_sslv2_client_hello(sslv2_message(0x0303, kSpecs, {}, challenge));
  ASSERT_TRUE(ch.ok()) << ch.error().message();
  EXPECT_EQ(ch->legacy_version, 0x0303);
  EXPECT_EQ(ch->cipher_suites, (std::vector<uint16_t>{0xC02F, 0x002F, 0x00FF}));
  EXPECT_TRUE(std::equal(ch->random.begin(), ch->random.end(), challenge.begin()));
  EXPECT_TRUE(ch->session_id.empty());
  EXPECT_EQ(ch->compression_methods, Bytes{0});
  EXPECT_TRUE(ch->ext.order.empty());
}

TEST(Sslv2Hello, ShortChallengeIsRightAlignedBehindZeros) {
  for (size_t n : {16u, 20u, 31u}) {
    const Bytes challenge = challenge_of(n);
    auto ch = msg::parse_sslv2_client_hello(sslv2_message(0x0301, kSpecs, {}, challenge));
    ASSERT_TRUE(ch.ok()) << n;
    for (size_t i = 0; i < 32 - n; ++i) EXPECT_EQ(ch->random[i], 0) << n << " " << i;
    EXPECT_TRUE(std::equal(challenge.begin(), challenge.end(), ch->random.begin() + (32 - n)));
  }
}

TEST(Sslv2Hello, KeepsAnSslv2SessionId) {
  const Bytes sid(16, 0x5A);
  auto ch = msg::parse_sslv2_client_hello(sslv2_message(0x0300, kSpecs, sid, challenge_of(16)));
  ASSERT_TRUE(ch.ok());
  EXPECT_EQ(ch->session_id, sid);
  EXPECT_EQ(ch->legacy_version, 0x0300);
}

TEST(Sslv2Hello, OnlySslv2SpecsLeaveNoSuites) {
  auto ch = msg::parse_sslv2_client_hello(
      sslv2_message(0x0303, {{0x07, 0x00, 0xC0}, {0x01, 0x00, 0x80}}, {}, challenge_of(32)));
  ASSERT_TRUE(ch.ok());
  EXPECT_TRUE(ch->cipher_suites.empty());
}

TEST(Sslv2Hello, EveryTruncationAndAnExtraByteFail) {
  const Bytes good = sslv2_message(0x0303, kSpecs, {}, challenge_of(32));
  for (size_t n = 0; n < good.size(); ++n) {
    auto ch = msg::parse_sslv2_client_hello(ByteView(good).first(n));
    ASSERT_FALSE(ch.ok()) << n;
    EXPECT_EQ(err(ch.error()), Err::DECODE) << n;
  }
  Bytes longer = good;
  longer.push_back(0);
  auto ch = msg::parse_sslv2_client_hello(longer);
  ASSERT_FALSE(ch.ok());
  EXPECT_EQ(err(ch.error()), Err::DECODE);
}

TEST(Sslv2Hello, BadFieldsFail) {
  const Bytes c32 = challenge_of(32);
  struct Case {
    const char* name;
    Bytes message;
    Err expected;
  };
  Bytes wrong_type = sslv2_message(0x0303, kSpecs, {}, c32);
  wrong_type[0] = 2;  // CLIENT-MASTER-KEY
  Bytes specs_not_3 = sslv2_message(0x0303, kSpecs, {}, c32);
  specs_not_3[4] = static_cast<uint8_t>(kSpecs.size() * 3 - 1);  // cipher_spec_length
  Bytes lengths_off = sslv2_message(0x0303, kSpecs, {}, c32);
  lengths_off[8] = 31;  // challenge_length says 31, 32 bytes follow
  const Case cases[] = {
      {"msg_type", wrong_type, Err::DECODE},
      {"no specs", sslv2_message(0x0303, {}, {}, c32), Err::DECODE},
      {"specs length", specs_not_3, Err::DECODE},
      {"challenge 15", sslv2_message(0x0303, kSpecs, {}, challenge_of(15)), Err::DECODE},
      {"challenge 33", sslv2_message(0x0303, kSpecs, {}, challenge_of(33)), Err::DECODE},
      {"challenge 0", sslv2_message(0x0303, kSpecs, {}, {}), Err::DECODE},
      {"session id 33", sslv2_message(0x0303, kSpecs, Bytes(33, 1), c32), Err::DECODE},
      {"lengths", lengths_off, Err::DECODE},
      {"SSLv2 only", sslv2_message(0x0002, kSpecs, {}, c32), Err::PROTOCOL_VERSION_UNSUPPORTED},
      {"version 4.0", sslv2_message(0x0400, kSpecs, {}, c32), Err::PROTOCOL_VERSION_UNSUPPORTED},
  };
  for (const Case& c : cases) {
    auto ch = msg::parse_sslv2_client_hello(c.message);
    ASSERT_FALSE(ch.ok()) << c.name;
    EXPECT_EQ(err(ch.error()), c.expected) << c.name;
  }
}

// Random and mutated input never crashes; whatever parses keeps the converter's invariants.
TEST(Sslv2Hello, FuzzishInputIsRefusedOrConsistent) {
  std::mt19937 rng(20261126);
  const Bytes good = sslv2_message(0x0303, kSpecs, {}, challenge_of(24));
  size_t accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    Bytes m;
    if (i % 2 == 0) {
      m = good;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int f = 0; f < flips; ++f) m[rng() % m.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
      if (rng() % 4 == 0) m.resize(rng() % m.size());
    } else {
      m.resize(rng() % 80);
      for (uint8_t& b : m) b = static_cast<uint8_t>(rng());
    }
    auto ch = msg::parse_sslv2_client_hello(m);
    if (!ch.ok()) {
      const Err e = err(ch.error());
      EXPECT_TRUE(e == Err::DECODE || e == Err::PROTOCOL_VERSION_UNSUPPORTED);
      continue;
    }
    ++accepted;
    ASSERT_GE(m.size(), msg::kSslv2FixedSize);
    EXPECT_EQ(m[0], msg::kSslv2ClientHello);
    EXPECT_EQ(ch->legacy_version >> 8, 3);
    EXPECT_LE(ch->cipher_suites.size(), (m.size() - msg::kSslv2FixedSize) / 3);
    EXPECT_TRUE(ch->ext.order.empty());
  }
  EXPECT_GT(accepted, 0u);  // some mutations only touch the specs or the challenge
}

TEST(Sslv2Hello, PublicClientHelloReportsIt) {
  const Bytes challenge = challenge_of(32);
  auto ch = ClientHello::parse_sslv2(sslv2_message(0x0303, kSpecs, {}, challenge));
  ASSERT_TRUE(ch.ok()) << ch.error().message();
  EXPECT_TRUE(ch->is_sslv2());
  EXPECT_EQ(ch->legacy_version(), 0x0303);
  EXPECT_EQ(std::vector<uint16_t>(ch->cipher_suites().begin(), ch->cipher_suites().end()),
            (std::vector<uint16_t>{0xC02F, 0x002F, 0x00FF}));
  EXPECT_TRUE(std::equal(challenge.begin(), challenge.end(), ch->random().begin()));
  EXPECT_TRUE(ch->extensions().empty());
  EXPECT_TRUE(ch->session_id().empty());
  auto ja3 = ch->fingerprint(FingerprintType::JA3);
  ASSERT_TRUE(ja3.ok());
  EXPECT_EQ(ja3->raw(), "771,49199-47-255,,,");

  auto tls = ClientHello::parse(Bytes{1, 0, 0, 0});
  EXPECT_FALSE(tls.ok());
  auto bad = ClientHello::parse_sslv2(sslv2_message(0x0002, kSpecs, {}, challenge));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(err(bad.error()), Err::PROTOCOL_VERSION_UNSUPPORTED);
}

// --- record framing ---

Result<std::optional<record::Record>> feed(record::RecordLayer& rl, ByteView bytes) {
  MutByteView space = rl.read_space(bytes.size());
  std::copy(bytes.begin(), bytes.end(), space.begin());
  rl.commit_read(bytes.size());
  return rl.take_record();
}

// Reads `bytes` the way the driver does: read_want() bytes at a time.
Result<std::optional<record::Record>> feed_as_driver(record::RecordLayer& rl, ByteView bytes) {
  size_t pos = 0;
  for (;;) {
    auto r = rl.take_record();
    if (!r.ok() || r->has_value()) return r;
    const size_t want = std::min(rl.read_want(), bytes.size() - pos);
    if (want == 0) return r;
    MutByteView space = rl.read_space(want);
    std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(pos), want, space.begin());
    rl.commit_read(want);
    pos += want;
  }
}

TEST(Sslv2Record, FirstRecordMayBeSslv2WhenAllowed) {
  const Bytes message = sslv2_message(0x0303, kSpecs, {}, challenge_of(32));
  record::RecordLayer rl;
  rl.allow_sslv2_hello();
  auto r = feed_as_driver(rl, sslv2_record(message));
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_TRUE(r->has_value());
  const record::Record& rec = **r;
  EXPECT_TRUE(rec.sslv2);
  EXPECT_EQ(rec.type, ContentType::handshake);
  EXPECT_EQ(Bytes(rec.data.begin(), rec.data.end()), message);
  EXPECT_EQ(rl.read_want(), 5u);  // back to TLS framing
}

TEST(Sslv2Record, RefusedWhenNotAllowedOrNotFirst) {
  const Bytes rec = sslv2_record(sslv2_message(0x0303, kSpecs, {}, challenge_of(32)));
  {
    record::RecordLayer rl;  // a client, or a server past its first record
    auto r = feed(rl, rec);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(err(r.error()), Err::RECORD_TYPE);
  }
  {
    record::RecordLayer rl;
    rl.allow_sslv2_hello();
    const Bytes tls = {22, 3, 1, 0, 1, 1};
    auto first = feed(rl, tls);
    ASSERT_TRUE(first.ok());
    ASSERT_TRUE(first->has_value());
    EXPECT_FALSE((*first)->sslv2);
    auto r = feed(rl, rec);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(err(r.error()), Err::RECORD_TYPE);
  }
}

TEST(Sslv2Record, HeaderLengthsAreChecked) {
  // Shorter than the CLIENT-HELLO's fixed fields.
  for (uint8_t len : {0, 1, 3, 8}) {
    record::RecordLayer rl;
    rl.allow_sslv2_hello();
    auto r = feed(rl, Bytes{0x80, len, 1, 3, 3});
    ASSERT_FALSE(r.ok()) << int{len};
    EXPECT_EQ(err(r.error()), Err::BAD_RECORD_HEADER) << int{len};
  }
  // Longer than any record.
  record::RecordLayer rl;
  rl.allow_sslv2_hello();
  auto r = feed(rl, Bytes{0xC0, 0x01, 1, 3, 3});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(err(r.error()), Err::RECORD_LIMIT);
  // Exactly the fixed fields: framing is fine (the converter judges the contents).
  record::RecordLayer ok;
  ok.allow_sslv2_hello();
  auto fine = feed_as_driver(ok, Bytes{0x80, 9, 1, 3, 3, 0, 3, 0, 0, 0, 16});
  ASSERT_TRUE(fine.ok());
  ASSERT_TRUE(fine->has_value());
  EXPECT_EQ((*fine)->data.size(), 9u);
}

// --- max_fragment_length ---

TEST(FragmentLimit, CapsOutgoingRecords) {
  record::RecordLayer rl;
  rl.set_fragment_limit(512);
  EXPECT_EQ(rl.max_fragment(), 512u);
  const Bytes data(2000, 0x42);
  ASSERT_TRUE(rl.write(ContentType::application_data, data).ok());
  ByteView out = rl.pending_output();
  std::vector<size_t> sizes;
  while (!out.empty()) {
    ASSERT_GE(out.size(), 5u);
    const size_t len = (size_t{out[3]} << 8) | out[4];
    sizes.push_back(len);
    out = out.subspan(5 + len);
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{512, 512, 512, 464}));
  // The smaller of the two wins.
  rl.set_max_fragment(300);
  EXPECT_EQ(rl.max_fragment(), 300u);
  rl.set_max_fragment(record::kMaxPlaintext);
  EXPECT_EQ(rl.max_fragment(), 512u);
}

TEST(FragmentLimit, RefusesLargerIncomingRecords) {
  record::RecordLayer rl;
  rl.set_fragment_limit(1024);
  Bytes rec = {23, 3, 3, 0x04, 0x00};
  rec.resize(5 + 1024, 7);
  auto ok = feed(rl, rec);
  ASSERT_TRUE(ok.ok());
  ASSERT_TRUE(ok->has_value());
  Bytes big = {23, 3, 3, 0x04, 0x01};
  big.resize(5 + 1025, 7);
  auto r = feed(rl, big);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(err(r.error()), Err::RECORD_LIMIT);
}

TEST(FragmentLimit, RefusesLargerDecryptedRecords) {
  const uint8_t secret[32] = {9};
  auto make = [&] {
    auto p =
        record::Protection13::create(crypto::AeadAlg::AES_128_GCM, crypto::HashAlg::SHA256, secret);
    EXPECT_TRUE(p.ok());
    return std::move(*p);
  };
  record::RecordLayer tx, rx;
  tx.set_write_protection(make());
  rx.set_read_protection(make());
  rx.set_fragment_limit(512);
  ASSERT_TRUE(tx.write(ContentType::application_data, Bytes(512, 1)).ok());
  ASSERT_TRUE(tx.write(ContentType::application_data, Bytes(513, 1)).ok());
  ByteView out = tx.pending_output();
  const size_t first = 5 + 512 + record::Protection13::kOverhead;
  auto r1 = feed(rx, out.first(first));
  ASSERT_TRUE(r1.ok());
  ASSERT_TRUE(r1->has_value());
  EXPECT_EQ((*r1)->data.size(), 512u);
  auto r2 = feed(rx, out.subspan(first));
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(err(r2.error()), Err::RECORD_LIMIT);
}

TEST(MaxFragmentLengthExtension, RoundTripsAndRefusesBadCodes) {
  for (uint8_t code = 1; code <= 4; ++code) {
    msg::Extensions e;
    e.add(msg::ext::max_fragment_length);
    e.max_fragment_length = code;
    for (msg::Where where :
         {msg::Where::ClientHello, msg::Where::ServerHello, msg::Where::EncryptedExtensions}) {
      Bytes block;
      msg::write_extensions(e, where, block);
      EXPECT_EQ(block, (Bytes{0, 5, 0, 1, 0, 1, code}));
      msg::Extensions back;
      ASSERT_TRUE(msg::parse_extensions(block, where, back).ok());
      EXPECT_TRUE(back.has(msg::ext::max_fragment_length));
      EXPECT_EQ(back.max_fragment_length, code);
    }
  }
  for (uint8_t code : {0, 5, 255}) {
    msg::Extensions back;
    auto s = msg::parse_extensions(Bytes{0, 5, 0, 1, 0, 1, code}, msg::Where::ClientHello, back);
    ASSERT_FALSE(s.ok()) << int{code};
    EXPECT_EQ(err(s.error()), Err::ILLEGAL_PARAMETER);
  }
  msg::Extensions back;
  auto empty = msg::parse_extensions(Bytes{0, 4, 0, 1, 0, 0}, msg::Where::ClientHello, back);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(err(empty.error()), Err::DECODE);
  auto two = msg::parse_extensions(Bytes{0, 6, 0, 1, 0, 2, 1, 1}, msg::Where::ServerHello, back);
  ASSERT_FALSE(two.ok());
  EXPECT_EQ(err(two.error()), Err::DECODE);
  // Not a CertificateRequest extension.
  auto cr = msg::parse_extensions(Bytes{0, 5, 0, 1, 0, 1, 1}, msg::Where::CertificateRequest, back);
  ASSERT_FALSE(cr.ok());
  EXPECT_EQ(err(cr.error()), Err::ILLEGAL_PARAMETER);
}

}  // namespace
}  // namespace snr
