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

Result<std::optional<Record>> feed_direct(RecordLayer& rl, ByteView bytes, MutByteView direct) {
  MutByteView space = rl.read_space(bytes.size());
  std::copy(bytes.begin(), bytes.end(), space.begin());
  rl.commit_read(bytes.size());
  return rl.take_record(direct);
}

// Application data that fits the caller's buffer is decrypted straight into it; everything
// else is returned from the input buffer as before.
TEST(Record, DirectOpenWritesOnlyTheContentIntoTheBuffer) {
  RecordLayer tx, rx;
  tx.set_write_protection(make());
  rx.set_read_protection(make());
  const std::string msg = "straight to the application";
  Bytes buf(64, 0xEE);
  ASSERT_TRUE(tx.write(ContentType::application_data, as_bytes(msg)).ok());
  auto r = feed_direct(rx, tx.pending_output(), buf);
  tx.consume_output(tx.pending_output().size());
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_TRUE((*r)->direct);
  EXPECT_EQ((*r)->data.data(), buf.data());
  EXPECT_EQ(as_string((*r)->data), msg);
  // The inner type went elsewhere: nothing past the content was touched.
  for (size_t i = msg.size(); i < buf.size(); ++i) ASSERT_EQ(buf[i], 0xEE) << i;

  // A buffer too small for the record: opened in the input buffer.
  Bytes tiny(msg.size() - 1, 0xEE);
  ASSERT_TRUE(tx.write(ContentType::application_data, as_bytes(msg)).ok());
  r = feed_direct(rx, tx.pending_output(), tiny);
  tx.consume_output(tx.pending_output().size());
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_FALSE((*r)->direct);
  EXPECT_EQ(as_string((*r)->data), msg);
  EXPECT_EQ(tiny, Bytes(msg.size() - 1, 0xEE));

  // A padded handshake record: its type shows only once decrypted; it comes back from the
  // input buffer and the caller's buffer is wiped.
  std::fill(buf.begin(), buf.end(), 0xEE);
  auto h = feed_direct(rx, seal_raw(Bytes{'h', 'i', 22, 0, 0, 0}, 2), buf);
  ASSERT_TRUE(h.ok() && h->has_value());
  EXPECT_FALSE((*h)->direct);
  EXPECT_EQ((*h)->type, ContentType::handshake);
  EXPECT_EQ(as_string((*h)->data), "hi");
  EXPECT_EQ(Bytes(buf.begin(), buf.begin() + 5), Bytes(5, 0));

  // Padded application data is still direct (padding may land past the content).
  auto p = feed_direct(rx, seal_raw(Bytes{'o', 'k', 23, 0, 0}, 3), buf);
  ASSERT_TRUE(p.ok() && p->has_value());
  EXPECT_TRUE((*p)->direct);
  EXPECT_EQ(as_string((*p)->data), "ok");

  // A damaged record: bad_record_mac, and no unauthenticated byte is left in the buffer.
  std::fill(buf.begin(), buf.end(), 0xEE);
  Bytes bad = seal_raw(Bytes{'s', 'e', 'c', 'r', 'e', 't', 23}, 4);
  bad[7] ^= 1;
  auto d = feed_direct(rx, bad, buf);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(err_of(d.error()), Err::DECRYPT);
  EXPECT_EQ(Bytes(buf.begin(), buf.begin() + 6), Bytes(6, 0));
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
