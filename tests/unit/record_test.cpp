// TLS 1.3 record protection and framing (RFC 8446 5).
#include <gtest/gtest.h>

#include "crypto/aead.hpp"
#include "keys/key_schedule.hpp"
#include "record/record_layer.hpp"
#include "util/error_code.hpp"

namespace snr::record {
namespace {

using msg::ContentType;

const uint8_t kSecret[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                             17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

std::unique_ptr<Protection13> make(crypto::AeadAlg alg = crypto::AeadAlg::AES_128_GCM) {
  auto p = Protection13::create(alg, crypto::HashAlg::SHA256, kSecret);
  EXPECT_TRUE(p.ok());
  return std::move(*p);
}

// Seals an inner plaintext by hand, so tests can add padding or odd inner types.
Bytes seal_raw(ByteView inner, uint64_t seq) {
  auto tk = keys::traffic_key(crypto::HashAlg::SHA256, crypto::AeadAlg::AES_128_GCM, kSecret);
  EXPECT_TRUE(tk.ok());
  auto aead = crypto::Aead::create(crypto::AeadAlg::AES_128_GCM, tk->key());
  EXPECT_TRUE(aead.ok());
  uint8_t nonce[12];
  std::copy(tk->iv.begin(), tk->iv.end(), nonce);
  for (int i = 0; i < 8; ++i) nonce[11 - i] ^= static_cast<uint8_t>(seq >> (8 * i));
  size_t len = inner.size() + 16;
  Bytes rec(5 + len);
  rec[0] = 23;
  rec[1] = rec[2] = 3;
  rec[3] = static_cast<uint8_t>(len >> 8);
  rec[4] = static_cast<uint8_t>(len);
  std::copy(inner.begin(), inner.end(), rec.begin() + 5);
  MutByteView body = MutByteView(rec).subspan(5);
  EXPECT_TRUE(aead->seal(nonce, ByteView(rec).first(5), body.first(inner.size()),
                         body.subspan(inner.size()))
                  .ok());
  return rec;
}

Result<std::optional<Record>> feed(RecordLayer& rl, ByteView bytes) {
  MutByteView space = rl.read_space(bytes.size());
  std::copy(bytes.begin(), bytes.end(), space.begin());
  rl.commit_read(bytes.size());
  return rl.take_record();
}

TEST(Record, SealOpenRoundTripForEveryAead) {
  for (auto alg : {crypto::AeadAlg::AES_128_GCM, crypto::AeadAlg::AES_256_GCM,
                   crypto::AeadAlg::CHACHA20_POLY1305}) {
    RecordLayer tx, rx;
    tx.set_write_protection(make(alg));
    rx.set_read_protection(make(alg));
    const std::string msg = "record layer";
    ASSERT_TRUE(tx.write(ContentType::application_data, as_bytes(msg)).ok());
    auto r = feed(rx, tx.pending_output());
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE(r->has_value());
    EXPECT_EQ((*r)->type, ContentType::application_data);
    EXPECT_EQ(as_string((*r)->data), msg);
    EXPECT_EQ(rx.read_protection()->sequence(), 1u);
  }
}

TEST(Record, LargeWritesAreFragmented) {
  RecordLayer tx;
  tx.set_write_protection(make());
  Bytes big(40000, 0x5a);
  ASSERT_TRUE(tx.write(ContentType::application_data, big).ok());
  EXPECT_EQ(tx.write_protection()->sequence(), 3u);
  EXPECT_EQ(tx.pending_output().size(), 40000 + 3 * (5 + Protection13::kOverhead));
}

TEST(Record, PaddingIsAcceptedAndAllPaddingIsNot) {
  Bytes inner = {'h', 'i', 22, 0, 0, 0, 0, 0};  // content "hi", type handshake, 5 zeros
  RecordLayer rx;
  rx.set_read_protection(make());
  auto r = feed(rx, seal_raw(inner, 0));
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ((*r)->type, ContentType::handshake);
  EXPECT_EQ(as_string((*r)->data), "hi");

  Bytes zeros(10, 0);
  auto z = feed(rx, seal_raw(zeros, 1));
  ASSERT_FALSE(z.ok());
  EXPECT_EQ(err_of(z.error()), Err::RECORD_PADDING);
}

TEST(Record, TamperedRecordIsBadRecordMac) {
  RecordLayer tx, rx;
  tx.set_write_protection(make());
  rx.set_read_protection(make());
  ASSERT_TRUE(tx.write(ContentType::application_data, as_bytes("x")).ok());
  Bytes rec(tx.pending_output().begin(), tx.pending_output().end());
  rec[6] ^= 0x80;
  auto r = feed(rx, rec);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(err_of(r.error()), Err::DECRYPT);
}

TEST(Record, OversizedRecordsAreRecordOverflow) {
  RecordLayer plain;
  Bytes hdr = {22, 3, 3, 0x40, 0x01};  // 16385 > 2^14
  auto r = feed(plain, hdr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(err_of(r.error()), Err::RECORD_LIMIT);

  RecordLayer enc;
  enc.set_read_protection(make());
  Bytes hdr2 = {23, 3, 3, 0x41, 0x01};  // 16641 > 2^14 + 256
  auto e = feed(enc, hdr2);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(err_of(e.error()), Err::RECORD_LIMIT);

  // An inner plaintext over 2^14 is record_overflow too, even under the ciphertext limit.
  Bytes inner(16385 + 1, 'a');
  inner.back() = 23;
  RecordLayer rx;
  rx.set_read_protection(make());
  auto big = feed(rx, seal_raw(inner, 0));
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(err_of(big.error()), Err::RECORD_LIMIT);
}

TEST(Record, UnknownTypesAndPlaintextAfterKeysAreRefused) {
  RecordLayer rl;
  Bytes bad = {99, 3, 3, 0, 1, 0};
  auto r = feed(rl, bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(err_of(r.error()), Err::RECORD_TYPE);

  RecordLayer enc;
  enc.set_read_protection(make());
  Bytes hs = {22, 3, 3, 0, 1, 1};
  auto h = feed(enc, hs);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(err_of(h.error()), Err::RECORD_TYPE);

  // CCS stays plaintext after keys (middlebox compatibility); the caller decides on it.
  RecordLayer ccs;
  ccs.set_read_protection(make());
  Bytes c = {20, 3, 3, 0, 1, 1};
  auto cr = feed(ccs, c);
  ASSERT_TRUE(cr.ok());
  ASSERT_TRUE(cr->has_value());
  EXPECT_FALSE((*cr)->encrypted);
}

TEST(Record, ReadWantAsksForTheHeaderThenTheBody) {
  RecordLayer rl;
  EXPECT_EQ(rl.read_want(), 5u);
  Bytes hdr = {23, 3, 3, 0, 20};
  MutByteView s = rl.read_space(3);
  std::copy_n(hdr.begin(), 3, s.begin());
  rl.commit_read(3);
  EXPECT_EQ(rl.read_want(), 2u);
  s = rl.read_space(2);
  std::copy_n(hdr.begin() + 3, 2, s.begin());
  rl.commit_read(2);
  EXPECT_EQ(rl.read_want(), 20u);
}

TEST(Record, KeyUpdateMovesBothSidesToTheNextSecret) {
  RecordLayer tx, rx;
  tx.set_write_protection(make());
  rx.set_read_protection(make());
  ASSERT_TRUE(tx.write_protection()->update().ok());
  ASSERT_TRUE(tx.write(ContentType::application_data, as_bytes("after")).ok());
  Bytes rec(tx.pending_output().begin(), tx.pending_output().end());
  RecordLayer stale;
  stale.set_read_protection(make());
  EXPECT_FALSE(feed(stale, rec).ok());  // the old key no longer opens it
  ASSERT_TRUE(rx.read_protection()->update().ok());
  auto r = feed(rx, rec);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(as_string((*r)->data), "after");
}

}  // namespace
}  // namespace snr::record
