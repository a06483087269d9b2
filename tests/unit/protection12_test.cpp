// TLS 1.0-1.2 record protection (src/record/protection12): round trips for every cipher, the
// record formats checked against independent computations with the crypto primitives, the
// TLS 1.0 chained IV and 1/n-1 split, and rejection of every kind of bad record (bad padding
// and bad MAC alike are bad_record_mac).
#include "record/protection12.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/aead.hpp"
#include "crypto/cbc.hpp"
#include "crypto/hash.hpp"
#include "crypto/random.hpp"
#include "keys/prf12.hpp"
#include "policy/registry.hpp"
#include "record/record_layer.hpp"
#include "test_bytes.hpp"
#include "util/error_code.hpp"

namespace snr::record {
namespace {

using crypto::HashAlg;
using msg::ContentType;

constexpr uint16_t kGcm128 = 0xC02F;        // ECDHE-RSA-AES128-GCM-SHA256
constexpr uint16_t kGcm256 = 0xC030;        // ECDHE-RSA-AES256-GCM-SHA384
constexpr uint16_t kChacha = 0xCCA8;        // ECDHE-RSA-CHACHA20-POLY1305
constexpr uint16_t kCbc128Sha = 0xC013;     // ECDHE-RSA-AES128-SHA
constexpr uint16_t kCbc256Sha = 0xC014;     // ECDHE-RSA-AES256-SHA
constexpr uint16_t kCbc128Sha256 = 0xC027;  // ECDHE-RSA-AES128-SHA256
constexpr uint16_t kCbc256Sha384 = 0xC028;  // ECDHE-RSA-AES256-SHA384

Bytes pattern(size_t n, uint8_t seed) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(seed + i * 13 + (i >> 8));
  return b;
}

const policy::CipherSuite& suite(uint16_t iana) {
  const policy::CipherSuite* s = policy::find_suite(iana);
  EXPECT_NE(s, nullptr) << iana;
  return *s;
}

uint16_t wire(Version v) {
  return v == Version::TLS10 ? 0x0301 : v == Version::TLS11 ? 0x0302 : 0x0303;
}

// Both directions' keys from a real key block, so the sizes are what the handshake will use.
keys::KeyBlock make_keys(const policy::CipherSuite& s, Version v, uint8_t seed = 1) {
  const Bytes master = pattern(48, seed), cr = pattern(32, 2), sr = pattern(32, 3);
  auto kb = keys::key_block(s, v, master, cr, sr);
  EXPECT_TRUE(kb.ok());
  return kb.ok() ? *kb : keys::KeyBlock{};
}

std::unique_ptr<Protection> make(const policy::CipherSuite& s, Version v,
                                 const keys::DirectionKeys& k) {
  auto p = make_protection12(s, v, k);
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message());
  return p.ok() ? std::move(*p) : nullptr;
}

// Splits a byte stream into records (header, body).
struct Rec {
  Bytes header;
  Bytes body;
};
std::vector<Rec> split_records(ByteView stream) {
  std::vector<Rec> out;
  while (stream.size() >= kHeaderSize) {
    const size_t len = (size_t{stream[3]} << 8) | stream[4];
    EXPECT_GE(stream.size(), kHeaderSize + len);
    if (stream.size() < kHeaderSize + len) break;
    out.push_back({Bytes(stream.begin(), stream.begin() + kHeaderSize),
                   Bytes(stream.begin() + kHeaderSize, stream.begin() + kHeaderSize + len)});
    stream = stream.subspan(kHeaderSize + len);
  }
  EXPECT_TRUE(stream.empty());
  return out;
}

struct Opened {
  Status status;
  ContentType type = ContentType::alert;
  Bytes plaintext;
};
Opened open_rec(Protection& p, Rec r) {
  Opened o;
  ContentType type = ContentType::alert;
  size_t offset = 0;
  auto n = p.open(r.header, r.body, type, offset);
  if (!n.ok()) {
    o.status = n.error();
    return o;
  }
  EXPECT_LE(offset + *n, r.body.size());
  o.type = type;
  o.plaintext.assign(r.body.begin() + static_cast<std::ptrdiff_t>(offset),
                     r.body.begin() + static_cast<std::ptrdiff_t>(offset + *n));
  return o;
}

Err err_of_status(const Status& s) { return s.ok() ? Err::kCount : err_of(s.error()); }

Bytes header(uint8_t type, uint16_t version, size_t len) {
  return {type, static_cast<uint8_t>(version >> 8), static_cast<uint8_t>(version),
          static_cast<uint8_t>(len >> 8), static_cast<uint8_t>(len)};
}

Bytes ad13(uint64_t seq, uint8_t type, uint16_t version, size_t len) {
  Bytes ad;
  for (int i = 7; i >= 0; --i) ad.push_back(static_cast<uint8_t>(seq >> (8 * i)));
  const Bytes h = header(type, version, len);
  ad.insert(ad.end(), h.begin(), h.end());
  return ad;
}

// ---- round trips ----

struct Case {
  uint16_t suite;
  Version version;
};

class Protection12RoundTrip : public ::testing::TestWithParam<Case> {};

TEST_P(Protection12RoundTrip, SealThenOpen) {
  const Case c = GetParam();
  const policy::CipherSuite& s = suite(c.suite);
  const keys::KeyBlock kb = make_keys(s, c.version);
  auto tx = make(s, c.version, kb.client);
  auto rx = make(s, c.version, kb.client);
  ASSERT_TRUE(tx && rx);
  EXPECT_FALSE(tx->inner_type());
  EXPECT_EQ(tx->max_ciphertext(), 16384u + 2048u);
  EXPECT_EQ(err_of_status(tx->update()), Err::KEY_UPDATE);

  const std::vector<size_t> sizes = {0,  1,   2,   15,  16,   17,   31,    32,
                                     33, 100, 255, 256, 1000, 4096, 16383, 16384};
  uint64_t records = 0;
  for (ContentType type : {ContentType::application_data, ContentType::handshake,
                           ContentType::alert, ContentType::change_cipher_spec}) {
    for (size_t n : sizes) {
      SCOPED_TRACE(std::to_string(n) + " type " + std::to_string(static_cast<int>(type)));
      const Bytes pt = pattern(n, static_cast<uint8_t>(n));
      Bytes out = {0xaa};  // seal appends
      ASSERT_TRUE(tx->seal(type, pt, out).ok());
      EXPECT_EQ(out[0], 0xaa);
      auto recs = split_records(ByteView(out).subspan(1));
      // TLS 1.0 splits application data 1/n-1; everything else is one record.
      const bool split =
          c.version == Version::TLS10 && type == ContentType::application_data && n > 1;
      ASSERT_EQ(recs.size(), split ? 2u : 1u);
      Bytes got;
      for (const Rec& r : recs) {
        EXPECT_EQ(r.header[0], static_cast<uint8_t>(type));
        EXPECT_EQ((r.header[1] << 8) | r.header[2], wire(c.version));
        Opened o = open_rec(*rx, r);
        ASSERT_TRUE(o.status.ok()) << o.status.error().message();
        EXPECT_EQ(o.type, type);
        got.insert(got.end(), o.plaintext.begin(), o.plaintext.end());
      }
      if (split) {
        EXPECT_EQ(recs[0].body.size(), (1 + crypto::hash_size(s.mac) + 16) / 16 * 16);
      }
      EXPECT_EQ(got, pt);
      // The whole output (headers of split records included) stays within the overhead.
      EXPECT_LE(out.size() - 1 - kHeaderSize, n + tx->max_overhead());
      records += recs.size();
      EXPECT_EQ(tx->sequence(), records);
      EXPECT_EQ(rx->sequence(), records);
    }
  }
  // Larger than a record: refused.
  Bytes out;
  EXPECT_EQ(err_of_status(tx->seal(ContentType::application_data, Bytes(16385), out)),
            Err::INVALID_ARGUMENT);
  EXPECT_TRUE(out.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Protection12, Protection12RoundTrip,
    ::testing::Values(Case{kGcm128, Version::TLS12}, Case{kGcm256, Version::TLS12},
                      Case{kChacha, Version::TLS12}, Case{kCbc128Sha, Version::TLS12},
                      Case{kCbc256Sha, Version::TLS12}, Case{kCbc128Sha256, Version::TLS12},
                      Case{kCbc256Sha384, Version::TLS12}, Case{kCbc128Sha, Version::TLS11},
                      Case{kCbc256Sha384, Version::TLS11}, Case{kCbc128Sha, Version::TLS10},
                      Case{kCbc256Sha, Version::TLS10}),
    [](const ::testing::TestParamInfo<Case>& i) {
      return "suite" + std::to_string(i.param.suite) + "_v" +
             std::to_string(static_cast<int>(i.param.version));
    });

TEST(Protection12, ThroughTheRecordLayer) {
  for (Case c : {Case{kGcm128, Version::TLS12}, Case{kChacha, Version::TLS12},
                 Case{kCbc256Sha384, Version::TLS12}, Case{kCbc128Sha, Version::TLS10}}) {
    SCOPED_TRACE(c.suite);
    const policy::CipherSuite& s = suite(c.suite);
    const keys::KeyBlock kb = make_keys(s, c.version);
    // Without and with a buffer for application data to be decrypted into directly (AEAD
    // suites; CBC always opens in place).
    for (bool with_buffer : {false, true}) {
      RecordLayer tx, rx;
      tx.set_write_protection(make(s, c.version, kb.server));
      rx.set_read_protection(make(s, c.version, kb.server));
      const Bytes data = pattern(40000, 9);
      ASSERT_TRUE(tx.write(ContentType::application_data, data).ok());
      ASSERT_TRUE(tx.write(ContentType::handshake, pattern(20, 1)).ok());
      ByteView wire_bytes = tx.pending_output();
      Bytes got, hs, direct(with_buffer ? 20000 : 0, 0xEE);
      size_t directs = 0;
      while (!wire_bytes.empty()) {
        const size_t want = rx.read_want();
        ASSERT_LE(want, wire_bytes.size());
        MutByteView space = rx.read_space(want);
        std::copy_n(wire_bytes.begin(), want, space.begin());
        rx.commit_read(want);
        wire_bytes = wire_bytes.subspan(want);
        auto r = rx.take_record(direct);
        ASSERT_TRUE(r.ok()) << r.error().message();
        if (!r->has_value()) continue;
        EXPECT_TRUE((*r)->encrypted);
        if ((*r)->direct) {
          ++directs;
          EXPECT_EQ((*r)->data.data(), direct.data());
          EXPECT_EQ((*r)->type, ContentType::application_data);
        }
        Bytes& into = (*r)->type == ContentType::application_data ? got : hs;
        into.insert(into.end(), (*r)->data.begin(), (*r)->data.end());
      }
      EXPECT_EQ(got, data);
      EXPECT_EQ(hs, pattern(20, 1));
      EXPECT_EQ(directs, with_buffer && s.is_aead() ? 3u : 0u);
    }
  }
}

TEST(Protection12, DirectionsAndOrderMatter) {
  const policy::CipherSuite& s = suite(kCbc128Sha256);
  const keys::KeyBlock kb = make_keys(s, Version::TLS12);
  auto tx = make(s, Version::TLS12, kb.client);
  auto wrong_dir = make(s, Version::TLS12, kb.server);
  auto rx = make(s, Version::TLS12, kb.client);
  Bytes a, b;
  ASSERT_TRUE(tx->seal(ContentType::handshake, pattern(40, 1), a).ok());
  ASSERT_TRUE(tx->seal(ContentType::handshake, pattern(40, 2), b).ok());
  EXPECT_EQ(err_of_status(open_rec(*wrong_dir, split_records(a)[0]).status), Err::DECRYPT);
  // Out of order: the second record under sequence number 0 fails its MAC.
  EXPECT_EQ(err_of_status(open_rec(*rx, split_records(b)[0]).status), Err::DECRYPT);

  for (uint16_t id : {kGcm128, kChacha}) {
    const policy::CipherSuite& as = suite(id);
    const keys::KeyBlock akb = make_keys(as, Version::TLS12);
    auto atx = make(as, Version::TLS12, akb.client);
    auto arx = make(as, Version::TLS12, akb.client);
    Bytes r0, r1;
    ASSERT_TRUE(atx->seal(ContentType::handshake, pattern(40, 1), r0).ok());
    ASSERT_TRUE(atx->seal(ContentType::handshake, pattern(40, 2), r1).ok());
    EXPECT_EQ(err_of_status(open_rec(*arx, split_records(r1)[0]).status), Err::DECRYPT);
  }
}

// ---- record formats against independent computations ----

TEST(Protection12, Aes128GcmKnownAnswer) {
  // RFC 5288 3 / RFC 5246 6.2.3.3, built here with crypto::Aead directly.
  keys::DirectionKeys k;
  k.enc_key.assign(from_hex("000102030405060708090a0b0c0d0e0f"));
  k.iv.assign(from_hex("a0a1a2a3"));
  auto p = make(suite(kGcm128), Version::TLS12, k);
  ASSERT_TRUE(p);
  p->set_sequence(0x0102030405060708);
  const ByteView req = as_bytes("GET / HTTP/1.1\r\n\r\n");
  const Bytes pt(req.begin(), req.end());
  Bytes out;
  ASSERT_TRUE(p->seal(ContentType::application_data, pt, out).ok());

  auto aead = crypto::Aead::create(crypto::AeadAlg::AES_128_GCM, k.enc_key.view());
  ASSERT_TRUE(aead.ok());
  const Bytes explicit_nonce = from_hex("0102030405060708");
  Bytes nonce = from_hex("a0a1a2a3");
  nonce.insert(nonce.end(), explicit_nonce.begin(), explicit_nonce.end());
  Bytes ct = pt, tag(16);
  ASSERT_TRUE(aead->seal(nonce, ad13(0x0102030405060708, 23, 0x0303, pt.size()), ct, tag).ok());
  Bytes want = header(23, 0x0303, 8 + pt.size() + 16);
  want.insert(want.end(), explicit_nonce.begin(), explicit_nonce.end());
  want.insert(want.end(), ct.begin(), ct.end());
  want.insert(want.end(), tag.begin(), tag.end());
  EXPECT_EQ(to_hex(out), to_hex(want));
  EXPECT_EQ(p->sequence(), 0x0102030405060709u);
}

TEST(Protection12, ChachaKnownAnswer) {
  // RFC 7905 2: nonce = iv XOR the left-padded sequence number; no explicit nonce.
  keys::DirectionKeys k;
  k.enc_key.assign(pattern(32, 5));
  k.iv.assign(from_hex("000102030405060708090a0b"));
  auto p = make(suite(kChacha), Version::TLS12, k);
  ASSERT_TRUE(p);
  p->set_sequence(0x1111);
  const Bytes pt = pattern(50, 7);
  Bytes out;
  ASSERT_TRUE(p->seal(ContentType::handshake, pt, out).ok());

  auto aead = crypto::Aead::create(crypto::AeadAlg::CHACHA20_POLY1305, k.enc_key.view());
  ASSERT_TRUE(aead.ok());
  Bytes nonce = from_hex("000102030405060708091b1a");  // ...0a0b ^ ...1111
  Bytes ct = pt, tag(16);
  ASSERT_TRUE(aead->seal(nonce, ad13(0x1111, 22, 0x0303, pt.size()), ct, tag).ok());
  Bytes want = header(22, 0x0303, pt.size() + 16);
  want.insert(want.end(), ct.begin(), ct.end());
  want.insert(want.end(), tag.begin(), tag.end());
  EXPECT_EQ(to_hex(out), to_hex(want));
}

TEST(Protection12, CbcPrimitiveKnownAnswers) {
  // NIST SP 800-38A F.2.1 and F.2.5 (first two blocks), encrypt and decrypt in place.
  const Bytes iv = from_hex("000102030405060708090a0b0c0d0e0f");
  const Bytes pt = from_hex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51");
  struct Kat {
    crypto::CbcAlg alg;
    const char* key;
    const char* ct;
  } kats[] = {
      {crypto::CbcAlg::AES_128_CBC, "2b7e151628aed2a6abf7158809cf4f3c",
       "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"},
      {crypto::CbcAlg::AES_256_CBC,
       "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
       "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"},
  };
  for (const Kat& kat : kats) {
    for (bool start_encrypting : {true, false}) {
      auto c = crypto::Cbc::create(kat.alg, from_hex(kat.key), start_encrypting);
      ASSERT_TRUE(c.ok());
      Bytes buf = pt;
      ASSERT_TRUE(c->encrypt(iv, buf).ok());
      EXPECT_EQ(to_hex(buf), kat.ct);
      ASSERT_TRUE(c->decrypt(iv, buf).ok());
      EXPECT_EQ(to_hex(buf), to_hex(pt));
      // Blocks encrypt the same with the IV given again (no state carried between calls).
      ASSERT_TRUE(c->encrypt(iv, buf).ok());
      EXPECT_EQ(to_hex(buf), kat.ct);
    }
  }
  auto c = crypto::Cbc::create(crypto::CbcAlg::AES_128_CBC,
                               from_hex("2b7e151628aed2a6abf7158809cf4f3c"), true);
  ASSERT_TRUE(c.ok());
  Bytes odd(17);
  EXPECT_FALSE(c->encrypt(iv, odd).ok());
  EXPECT_FALSE(c->encrypt(Bytes(8), MutByteView(odd).first(16)).ok());
  EXPECT_FALSE(crypto::Cbc::create(crypto::CbcAlg::AES_256_CBC, Bytes(16), true).ok());
}

// Decrypts a CBC record body with the primitive and checks plaintext || MAC || minimal padding.
void check_cbc_record(const policy::CipherSuite& s, Version v, const keys::DirectionKeys& k,
                      ByteView iv, const Rec& r, uint64_t seq, ByteView pt) {
  const size_t iv_len = v == Version::TLS10 ? 0 : 16;
  if (iv_len) iv = ByteView(r.body).first(16);
  auto c =
      crypto::Cbc::create(s.cipher == policy::BulkCipher::AES_128_CBC ? crypto::CbcAlg::AES_128_CBC
                                                                      : crypto::CbcAlg::AES_256_CBC,
                          k.enc_key.view(), false);
  ASSERT_TRUE(c.ok());
  Bytes data(r.body.begin() + static_cast<std::ptrdiff_t>(iv_len), r.body.end());
  ASSERT_TRUE(c->decrypt(iv, data).ok());
  const size_t mac_len = crypto::hash_size(s.mac);
  ASSERT_GE(data.size(), pt.size() + mac_len + 1);
  EXPECT_EQ(to_hex(ByteView(data).first(pt.size())), to_hex(pt));
  Bytes mac_input = ad13(seq, r.header[0], wire(v), pt.size());
  mac_input.insert(mac_input.end(), pt.begin(), pt.end());
  auto mac = crypto::hmac(s.mac, k.mac_key.view(), mac_input);
  ASSERT_TRUE(mac.ok());
  EXPECT_EQ(to_hex(ByteView(data).subspan(pt.size(), mac_len)), to_hex(mac->view()));
  const size_t pad = data.back();
  EXPECT_EQ(pt.size() + mac_len + pad + 1, data.size());
  EXPECT_LT(pad, 16u);  // minimal
  for (size_t i = pt.size() + mac_len; i < data.size(); ++i) EXPECT_EQ(data[i], pad);
}

TEST(Protection12, CbcRecordFormat) {
  for (Case c : {Case{kCbc128Sha, Version::TLS12}, Case{kCbc256Sha384, Version::TLS12},
                 Case{kCbc128Sha256, Version::TLS11}}) {
    SCOPED_TRACE(c.suite);
    const policy::CipherSuite& s = suite(c.suite);
    const keys::KeyBlock kb = make_keys(s, c.version);
    auto p = make(s, c.version, kb.client);
    Bytes ivs;
    for (size_t n : {0u, 5u, 64u, 1000u}) {
      const Bytes pt = pattern(n, 3);
      Bytes out;
      const uint64_t seq = p->sequence();
      ASSERT_TRUE(p->seal(ContentType::application_data, pt, out).ok());
      auto recs = split_records(out);
      ASSERT_EQ(recs.size(), 1u);
      check_cbc_record(s, c.version, kb.client, {}, recs[0], seq, pt);
      ivs.insert(ivs.end(), recs[0].body.begin(), recs[0].body.begin() + 16);
    }
    // Explicit IVs are fresh random values, not repeated.
    for (size_t i = 0; i < 4; ++i) {
      for (size_t j = i + 1; j < 4; ++j) {
        EXPECT_NE(to_hex(ByteView(ivs).subspan(16 * i, 16)),
                  to_hex(ByteView(ivs).subspan(16 * j, 16)));
      }
    }
  }
}

TEST(Protection12, Tls10ChainedIvAndOneNMinusOneSplit) {
  const policy::CipherSuite& s = suite(kCbc128Sha);
  const keys::KeyBlock kb = make_keys(s, Version::TLS10);
  ASSERT_EQ(kb.client.iv.size(), 16u);
  auto p = make(s, Version::TLS10, kb.client);
  const Bytes hs = pattern(30, 1), app = pattern(100, 2);
  Bytes out;
  ASSERT_TRUE(p->seal(ContentType::handshake, hs, out).ok());
  ASSERT_TRUE(p->seal(ContentType::application_data, app, out).ok());
  ASSERT_TRUE(p->seal(ContentType::application_data, ByteView(app).first(1), out).ok());
  auto recs = split_records(out);
  ASSERT_EQ(recs.size(), 4u);  // handshake; app split in 1 + 99; a 1-byte record is not split
  // The first record's IV is the key block IV; each next one the previous last cipher block.
  Bytes iv(kb.client.iv.view().begin(), kb.client.iv.view().end());
  const Bytes parts[] = {hs, Bytes(app.begin(), app.begin() + 1), Bytes(app.begin() + 1, app.end()),
                         Bytes(app.begin(), app.begin() + 1)};
  for (size_t i = 0; i < recs.size(); ++i) {
    SCOPED_TRACE(i);
    check_cbc_record(s, Version::TLS10, kb.client, iv, recs[i], i, parts[i]);
    iv.assign(recs[i].body.end() - 16, recs[i].body.end());
  }
  EXPECT_EQ(recs[1].body.size(), 32u);  // 1 + 20 (MAC) + padding → two blocks

  // A reader that skipped a record has the wrong IV (and sequence number) for the next one.
  auto rx = make(s, Version::TLS10, kb.client);
  ASSERT_TRUE(open_rec(*rx, recs[0]).status.ok());
  ASSERT_TRUE(open_rec(*rx, recs[1]).status.ok());
  ASSERT_TRUE(open_rec(*rx, recs[2]).status.ok());
  ASSERT_TRUE(open_rec(*rx, recs[3]).status.ok());
  auto rx2 = make(s, Version::TLS10, kb.client);
  EXPECT_EQ(err_of_status(open_rec(*rx2, recs[1]).status), Err::DECRYPT);
}

// ---- malformed records ----

// Builds a CBC record with any padding (length and bytes) and MAC the test wants.
struct Craft {
  size_t pad_len = 0;
  int bad_pad_index = -1;  // which padding byte (0 = first) to corrupt; -1: none
  bool bad_mac = false;
  uint8_t pad_value_override = 0;
  bool override_pad_value = false;
};
Rec craft_cbc(const policy::CipherSuite& s, Version v, const keys::DirectionKeys& k,
              ByteView chained_iv, uint64_t seq, uint8_t type, ByteView pt, const Craft& cr) {
  const size_t mac_len = crypto::hash_size(s.mac);
  Bytes mac_input = ad13(seq, type, wire(v), pt.size());
  mac_input.insert(mac_input.end(), pt.begin(), pt.end());
  auto mac = crypto::hmac(s.mac, k.mac_key.view(), mac_input);
  EXPECT_TRUE(mac.ok());
  Bytes data(pt.begin(), pt.end());
  data.insert(data.end(), mac->bytes.begin(), mac->bytes.begin() + mac_len);
  if (cr.bad_mac) data[pt.size()] ^= 0x01;
  const uint8_t pad_value =
      cr.override_pad_value ? cr.pad_value_override : static_cast<uint8_t>(cr.pad_len);
  for (size_t i = 0; i < cr.pad_len; ++i) data.push_back(pad_value);
  data.push_back(pad_value);
  if (cr.bad_pad_index >= 0) data[pt.size() + mac_len + cr.bad_pad_index] ^= 0x80;
  EXPECT_EQ(data.size() % 16, 0u);
  Bytes iv(16);
  if (v == Version::TLS10) {
    iv.assign(chained_iv.begin(), chained_iv.end());
  } else {
    EXPECT_TRUE(crypto::random_bytes(iv).ok());
  }
  auto c =
      crypto::Cbc::create(s.cipher == policy::BulkCipher::AES_128_CBC ? crypto::CbcAlg::AES_128_CBC
                                                                      : crypto::CbcAlg::AES_256_CBC,
                          k.enc_key.view(), true);
  EXPECT_TRUE(c.ok());
  EXPECT_TRUE(c->encrypt(iv, data).ok());
  Rec r;
  Bytes body = v == Version::TLS10 ? Bytes() : iv;
  body.insert(body.end(), data.begin(), data.end());
  r.header = header(type, wire(v), body.size());
  r.body = std::move(body);
  return r;
}

// A plaintext length that makes plaintext + MAC + padding + 1 a multiple of 16.
size_t fitting_length(size_t mac_len, size_t pad_len, size_t at_least) {
  size_t n = at_least;
  while ((n + mac_len + pad_len + 1) % 16 != 0) ++n;
  return n;
}

class Protection12CbcTamper : public ::testing::TestWithParam<Case> {};

TEST_P(Protection12CbcTamper, EveryPaddingLength) {
  const Case c = GetParam();
  const policy::CipherSuite& s = suite(c.suite);
  const keys::KeyBlock kb = make_keys(s, c.version);
  const size_t mac_len = crypto::hash_size(s.mac);
  const ByteView iv0 = kb.client.iv.view();
  for (size_t pad = 0; pad <= 255; ++pad) {
    SCOPED_TRACE(pad);
    const Bytes pt = pattern(fitting_length(mac_len, pad, pad % 7), static_cast<uint8_t>(pad));
    // Valid, even with padding longer than the minimum (RFC 5246 6.2.3.2 allows it).
    {
      auto rx = make(s, c.version, kb.client);
      Opened o = open_rec(*rx, craft_cbc(s, c.version, kb.client, iv0, 0, 23, pt, {pad}));
      ASSERT_TRUE(o.status.ok()) << o.status.error().message();
      EXPECT_EQ(o.plaintext, pt);
    }
    // One wrong padding byte, first, middle or last of the padding.
    if (pad > 0) {
      for (size_t bad : {size_t{0}, pad / 2, pad - 1}) {
        auto rx = make(s, c.version, kb.client);
        Craft cr{pad};
        cr.bad_pad_index = static_cast<int>(bad);
        EXPECT_EQ(err_of_status(
                      open_rec(*rx, craft_cbc(s, c.version, kb.client, iv0, 0, 23, pt, cr)).status),
                  Err::DECRYPT)
            << bad;
      }
    }
    // Right padding, wrong MAC.
    {
      auto rx = make(s, c.version, kb.client);
      Craft cr{pad};
      cr.bad_mac = true;
      EXPECT_EQ(err_of_status(
                    open_rec(*rx, craft_cbc(s, c.version, kb.client, iv0, 0, 23, pt, cr)).status),
                Err::DECRYPT);
    }
  }
}

TEST_P(Protection12CbcTamper, PaddingLongerThanTheRecordAndOtherDamage) {
  const Case c = GetParam();
  const policy::CipherSuite& s = suite(c.suite);
  const keys::KeyBlock kb = make_keys(s, c.version);
  const size_t mac_len = crypto::hash_size(s.mac);
  const ByteView iv0 = kb.client.iv.view();
  const size_t iv_len = c.version == Version::TLS10 ? 0 : 16;
  auto fresh = [&] { return make(s, c.version, kb.client); };

  // padding_length claims more bytes than there are (every such value).
  const Bytes small = pattern(fitting_length(mac_len, 0, 0), 1);
  for (int claimed = 1; claimed <= 255; ++claimed) {
    Craft cr{0};
    cr.override_pad_value = true;
    cr.pad_value_override = static_cast<uint8_t>(claimed);
    auto rx = fresh();
    EXPECT_EQ(err_of_status(
                  open_rec(*rx, craft_cbc(s, c.version, kb.client, iv0, 0, 23, small, cr)).status),
              Err::DECRYPT)
        << claimed;
  }
  // The padding eats into the MAC: padding_length = real padding + 1, bytes all equal to it.
  {
    const Bytes pt = pattern(fitting_length(mac_len, 5, 10), 4);
    Rec good = craft_cbc(s, c.version, kb.client, iv0, 0, 23, pt, {5});
    Craft cr{5};
    cr.override_pad_value = true;
    cr.pad_value_override = 6;
    auto rx = fresh();
    EXPECT_EQ(
        err_of_status(open_rec(*rx, craft_cbc(s, c.version, kb.client, iv0, 0, 23, pt, cr)).status),
        Err::DECRYPT);
    auto rx2 = fresh();
    EXPECT_TRUE(open_rec(*rx2, good).status.ok());
  }

  // Sealed records damaged afterwards.
  auto tx = fresh();
  Bytes out;
  ASSERT_TRUE(tx->seal(ContentType::handshake, pattern(70, 2), out).ok());
  const Rec rec = split_records(out)[0];
  {
    auto rx = fresh();
    EXPECT_TRUE(open_rec(*rx, rec).status.ok());
  }
  for (size_t i = 0; i < rec.body.size(); ++i) {
    Rec bad = rec;
    bad.body[i] ^= 0x04;
    auto rx = fresh();
    EXPECT_EQ(err_of_status(open_rec(*rx, bad).status), Err::DECRYPT) << i;
  }
  for (size_t i : {0u, 1u, 2u}) {  // type and version are authenticated
    Rec bad = rec;
    bad.header[i] ^= 0x01;
    auto rx = fresh();
    EXPECT_EQ(err_of_status(open_rec(*rx, bad).status), Err::DECRYPT) << i;
  }
  // Not a whole number of blocks; shorter than IV + MAC + 1 rounded up; empty.
  const size_t min_body = iv_len + (mac_len + 1 + 15) / 16 * 16;
  for (size_t len : {size_t{0}, size_t{1}, size_t{15}, size_t{16}, min_body - 16, min_body - 1,
                     min_body + 1, rec.body.size() - 1, rec.body.size() + 3}) {
    Rec bad = rec;
    bad.body.resize(len, 0x55);
    bad.header = header(rec.header[0], wire(c.version), len);
    auto rx = fresh();
    EXPECT_EQ(err_of_status(open_rec(*rx, bad).status), Err::DECRYPT) << len;
  }
  // Exactly the minimum is well-formed: an empty plaintext with minimal padding.
  Bytes empty_out;
  auto tx2 = fresh();
  ASSERT_TRUE(tx2->seal(ContentType::alert, {}, empty_out).ok());
  EXPECT_EQ(split_records(empty_out)[0].body.size(), min_body);
  auto rx = fresh();
  Opened o = open_rec(*rx, split_records(empty_out)[0]);
  ASSERT_TRUE(o.status.ok());
  EXPECT_TRUE(o.plaintext.empty());
}

TEST_P(Protection12CbcTamper, PaddingThatCoversTheMac) {
  // Decrypted data made only of the byte v: the padding check passes over the whole scanned
  // area, so only the length check stops a padding_length that leaves no room for the MAC.
  const Case c = GetParam();
  const policy::CipherSuite& s = suite(c.suite);
  const keys::KeyBlock kb = make_keys(s, c.version);
  const size_t mac_len = crypto::hash_size(s.mac);
  const size_t min_data = (mac_len + 1 + 15) / 16 * 16;
  auto cbc =
      crypto::Cbc::create(s.cipher == policy::BulkCipher::AES_128_CBC ? crypto::CbcAlg::AES_128_CBC
                                                                      : crypto::CbcAlg::AES_256_CBC,
                          kb.client.enc_key.view(), true);
  ASSERT_TRUE(cbc.ok());
  for (size_t data_len : {min_data, min_data + 16, size_t{256}, size_t{272}}) {
    for (int v = 0; v <= 255; ++v) {
      Bytes data(data_len, static_cast<uint8_t>(v));
      const Bytes iv = c.version == Version::TLS10
                           ? Bytes(kb.client.iv.view().begin(), kb.client.iv.view().end())
                           : Bytes(16, 0x33);
      ASSERT_TRUE(cbc->encrypt(iv, data).ok());
      Rec r;
      r.body = c.version == Version::TLS10 ? Bytes() : iv;
      r.body.insert(r.body.end(), data.begin(), data.end());
      r.header = header(23, wire(c.version), r.body.size());
      auto rx = make(s, c.version, kb.client);
      EXPECT_EQ(err_of_status(open_rec(*rx, r).status), Err::DECRYPT) << data_len << " " << v;
    }
  }
}

TEST_P(Protection12CbcTamper, PlaintextOverTheLimit) {
  const Case c = GetParam();
  const policy::CipherSuite& s = suite(c.suite);
  const keys::KeyBlock kb = make_keys(s, c.version);
  const size_t mac_len = crypto::hash_size(s.mac);
  // A correctly protected record carrying 2^14 + 1 (or more) bytes: record_overflow.
  for (size_t at_least : {size_t{16385}, size_t{16400}}) {
    const Bytes pt = pattern(fitting_length(mac_len, 3, at_least), 1);
    auto rx = make(s, c.version, kb.client);
    Opened o =
        open_rec(*rx, craft_cbc(s, c.version, kb.client, kb.client.iv.view(), 0, 23, pt, {3}));
    EXPECT_EQ(err_of_status(o.status), Err::RECORD_LIMIT);
  }
  const Bytes pt = pattern(fitting_length(mac_len, 3, 16384 - 16), 1);
  ASSERT_LE(pt.size(), 16384u);
  auto rx = make(s, c.version, kb.client);
  EXPECT_TRUE(open_rec(*rx, craft_cbc(s, c.version, kb.client, kb.client.iv.view(), 0, 23, pt, {3}))
                  .status.ok());
}

INSTANTIATE_TEST_SUITE_P(Protection12, Protection12CbcTamper,
                         ::testing::Values(Case{kCbc128Sha, Version::TLS12},
                                           Case{kCbc128Sha256, Version::TLS12},
                                           Case{kCbc256Sha384, Version::TLS12},
                                           Case{kCbc256Sha, Version::TLS11},
                                           Case{kCbc128Sha, Version::TLS10}),
                         [](const ::testing::TestParamInfo<Case>& i) {
                           return "suite" + std::to_string(i.param.suite) + "_v" +
                                  std::to_string(static_cast<int>(i.param.version));
                         });

TEST(Protection12, AeadDamageAndLimits) {
  for (uint16_t id : {kGcm128, kGcm256, kChacha}) {
    SCOPED_TRACE(id);
    const policy::CipherSuite& s = suite(id);
    const keys::KeyBlock kb = make_keys(s, Version::TLS12);
    auto fresh = [&] { return make(s, Version::TLS12, kb.client); };
    auto tx = fresh();
    Bytes out;
    ASSERT_TRUE(tx->seal(ContentType::handshake, pattern(33, 2), out).ok());
    const Rec rec = split_records(out)[0];
    const size_t ex = id == kChacha ? 0 : 8;
    EXPECT_EQ(rec.body.size(), ex + 33 + 16);
    EXPECT_EQ(tx->max_overhead(), ex + 16);
    for (size_t i = 0; i < rec.body.size(); ++i) {
      Rec bad = rec;
      bad.body[i] ^= 0x20;
      auto rx = fresh();
      EXPECT_EQ(err_of_status(open_rec(*rx, bad).status), Err::DECRYPT) << i;
    }
    for (size_t i : {0u, 1u, 2u}) {
      Rec bad = rec;
      bad.header[i] ^= 0x01;
      auto rx = fresh();
      EXPECT_EQ(err_of_status(open_rec(*rx, bad).status), Err::DECRYPT) << i;
    }
    for (size_t len : {size_t{0}, ex, ex + 15, ex + 16}) {
      Rec bad = rec;
      bad.body.resize(len);
      auto rx = fresh();
      EXPECT_EQ(err_of_status(open_rec(*rx, bad).status), Err::DECRYPT) << len;
    }
    // A valid record with an empty plaintext.
    Bytes e;
    ASSERT_TRUE(tx->seal(ContentType::application_data, {}, e).ok());
    auto rx = fresh();
    rx->set_sequence(1);
    EXPECT_TRUE(open_rec(*rx, split_records(e)[0]).status.ok());
  }

  // A valid AES-GCM record (built with crypto::Aead) with 2^14 + 1 plaintext bytes.
  const policy::CipherSuite& s = suite(kGcm128);
  const keys::KeyBlock kb = make_keys(s, Version::TLS12);
  auto aead = crypto::Aead::create(crypto::AeadAlg::AES_128_GCM, kb.client.enc_key.view());
  ASSERT_TRUE(aead.ok());
  Bytes nonce(kb.client.iv.view().begin(), kb.client.iv.view().end());
  nonce.resize(12, 0);  // explicit part: sequence 0
  Bytes data = pattern(16385, 1), tag(16);
  ASSERT_TRUE(aead->seal(nonce, ad13(0, 23, 0x0303, data.size()), data, tag).ok());
  Rec big;
  big.body = Bytes(8, 0);
  big.body.insert(big.body.end(), data.begin(), data.end());
  big.body.insert(big.body.end(), tag.begin(), tag.end());
  big.header = header(23, 0x0303, big.body.size());
  auto rx = make(s, Version::TLS12, kb.client);
  EXPECT_EQ(err_of_status(open_rec(*rx, big).status), Err::RECORD_LIMIT);
}

TEST(Protection12, SequenceNumberDoesNotWrap) {
  for (Case c : {Case{kGcm128, Version::TLS12}, Case{kChacha, Version::TLS12},
                 Case{kCbc128Sha, Version::TLS12}, Case{kCbc128Sha, Version::TLS10}}) {
    SCOPED_TRACE(c.suite);
    const policy::CipherSuite& s = suite(c.suite);
    const keys::KeyBlock kb = make_keys(s, c.version);
    auto tx = make(s, c.version, kb.client);
    auto rx = make(s, c.version, kb.client);
    tx->set_sequence(UINT64_MAX - 2);
    rx->set_sequence(UINT64_MAX - 2);
    Bytes out;
    ASSERT_TRUE(tx->seal(ContentType::handshake, pattern(10, 1), out).ok());
    ASSERT_TRUE(tx->seal(ContentType::handshake, pattern(10, 1), out).ok());
    auto recs = split_records(out);
    ASSERT_EQ(recs.size(), 2u);
    EXPECT_TRUE(open_rec(*rx, recs[0]).status.ok());
    EXPECT_TRUE(open_rec(*rx, recs[1]).status.ok());
    EXPECT_EQ(tx->sequence(), UINT64_MAX);
    Bytes more;
    EXPECT_EQ(err_of_status(tx->seal(ContentType::handshake, pattern(10, 1), more)),
              Err::RECORD_LIMIT);
    EXPECT_TRUE(more.empty());
    EXPECT_EQ(err_of_status(open_rec(*rx, recs[1]).status), Err::RECORD_LIMIT);
  }
  // TLS 1.0 application data needs two sequence numbers for its split.
  const policy::CipherSuite& s = suite(kCbc128Sha);
  const keys::KeyBlock kb = make_keys(s, Version::TLS10);
  auto tx = make(s, Version::TLS10, kb.client);
  tx->set_sequence(UINT64_MAX - 1);
  Bytes out;
  EXPECT_EQ(err_of_status(tx->seal(ContentType::application_data, pattern(10, 1), out)),
            Err::RECORD_LIMIT);
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(tx->seal(ContentType::application_data, pattern(1, 1), out).ok());
}

TEST(Protection12, RejectsBadSetups) {
  const keys::KeyBlock gcm = make_keys(suite(kGcm128), Version::TLS12);
  const keys::KeyBlock cbc10 = make_keys(suite(kCbc128Sha), Version::TLS10);
  const keys::KeyBlock cbc12 = make_keys(suite(kCbc128Sha), Version::TLS12);
  auto code = [](const Result<std::unique_ptr<Protection>>& r) {
    return r.ok() ? Err::kCount : err_of(r.error());
  };
  EXPECT_EQ(code(make_protection12(suite(kGcm128), Version::TLS11, gcm.client)),
            Err::INVALID_ARGUMENT);
  EXPECT_EQ(code(make_protection12(suite(0x1301), Version::TLS12, gcm.client)),
            Err::INVALID_ARGUMENT);
  EXPECT_EQ(code(make_protection12(suite(kGcm128), Version::TLS13, gcm.client)),
            Err::INVALID_ARGUMENT);
  // Wrong key, IV and MAC key sizes.
  EXPECT_FALSE(make_protection12(suite(kGcm256), Version::TLS12, gcm.client).ok());
  EXPECT_FALSE(make_protection12(suite(kChacha), Version::TLS12, gcm.client).ok());
  EXPECT_FALSE(make_protection12(suite(kCbc128Sha), Version::TLS10, cbc12.client).ok());
  EXPECT_FALSE(make_protection12(suite(kCbc128Sha256), Version::TLS12, cbc12.client).ok());
  EXPECT_TRUE(make_protection12(suite(kCbc128Sha), Version::TLS12, cbc10.client).ok());
  // Ciphers snr does not implement.
  const keys::KeyBlock tdes = make_keys(suite(0x000A), Version::TLS12);
  EXPECT_EQ(code(make_protection12(suite(0x000A), Version::TLS12, tdes.client)),
            Err::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace snr::record
