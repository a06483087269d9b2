#include "record/protection12.hpp"

#include <algorithm>
#include <array>
#include <climits>

#include "crypto/aead.hpp"
#include "crypto/cbc.hpp"
#include "crypto/hash.hpp"
#include "crypto/random.hpp"
#include "record/cbc_check.hpp"
#include "util/error_code.hpp"
#include "wire/reader.hpp"
#include "wire/writer.hpp"

namespace snr::record {

namespace {

using msg::ContentType;

constexpr size_t kSeqSize = 8;
constexpr size_t kExplicitNonceSize = 8;  // RFC 5288 3: GCMNonce.nonce_explicit
constexpr size_t kGcmSaltSize = 4;        // RFC 5288 3: GCMNonce.salt
constexpr size_t kBlock = crypto::kCbcBlockSize;
// TLS padding_length is one byte: at most 255 padding bytes follow the MAC.
constexpr size_t kMaxPadding = 255;

uint16_t wire_version(Version v) {
  switch (v) {
    case Version::TLS10:
      return msg::version::TLS10;
    case Version::TLS11:
      return msg::version::TLS11;
    default:
      return msg::version::TLS12;
  }
}

// The MAC input prefix / AEAD additional data (RFC 5246 6.2.3.1 and 6.2.3.3):
// seq_num(8) || type(1) || version(2) || length(2).
using AdBytes = std::array<uint8_t, kSeqSize + 5>;
AdBytes additional_data(uint64_t seq, uint8_t type, uint16_t version, size_t length) {
  AdBytes ad{};
  for (size_t i = 0; i < kSeqSize; ++i) {
    ad[i] = static_cast<uint8_t>(seq >> (8 * (kSeqSize - 1 - i)));
  }
  ad[8] = type;
  ad[9] = static_cast<uint8_t>(version >> 8);
  ad[10] = static_cast<uint8_t>(version);
  ad[11] = static_cast<uint8_t>(length >> 8);
  ad[12] = static_cast<uint8_t>(length);
  return ad;
}

struct Header {
  uint8_t type = 0;
  uint16_t version = 0;
};

Result<Header> parse_header(ByteView header) {
  wire::Reader r(header);
  Header h;
  uint16_t len = 0;
  SNR_ENSURE(r.u8(h.type) && r.u16(h.version) && r.u16(len), Err::BAD_RECORD_HEADER);
  return h;
}

// ---- constant-time helpers ----
// Masks are all ones (true) or all zeros (false). The empty asm hides a mask's value from the
// optimizer, so that it cannot turn the mask arithmetic back into a branch.
constexpr size_t kTopBit = sizeof(size_t) * CHAR_BIT - 1;

inline size_t opaque(size_t x) {
  __asm__("" : "+r"(x));
  return x;
}
// Valid for a, b < 2^63 (record lengths are far smaller).
inline size_t ct_lt(size_t a, size_t b) { return opaque(size_t{0} - ((a - b) >> kTopBit)); }
inline size_t ct_ge(size_t a, size_t b) { return ~ct_lt(a, b); }
inline size_t ct_eq(size_t a, size_t b) {
  const size_t x = a ^ b;
  return opaque(size_t{0} - ((~x & (x - 1)) >> kTopBit));
}
inline uint8_t low8(size_t mask) { return static_cast<uint8_t>(mask); }

// ---- AEAD: AES-GCM (RFC 5288) and ChaCha20-Poly1305 (RFC 7905) ----

class Aead12 final : public Protection {
 public:
  Aead12(crypto::Aead aead, ByteView iv, uint16_t version)
      : aead_(std::move(aead)),
        explicit_nonce_(aead_.alg() != crypto::AeadAlg::CHACHA20_POLY1305),
        version_(version) {
    std::copy(iv.begin(), iv.end(), iv_.begin());
  }
  ~Aead12() override { secure_wipe(iv_.data(), iv_.size()); }

  size_t sealed_size(ContentType /*type*/, size_t n) const override {
    return kHeaderSize + n + max_overhead();
  }
  Status seal_into(ContentType type, ByteView plaintext, MutByteView out) override;
  Result<size_t> open(ByteView header, MutByteView body, ContentType& type,
                      size_t& offset) override;
  // Only application data goes straight to the application.
  size_t open_to_size(ByteView header, size_t body_size) const override {
    return header[0] == static_cast<uint8_t>(ContentType::application_data) &&
                   body_size > max_overhead()
               ? body_size - max_overhead()
               : 0;
  }
  Result<size_t> open_to(ByteView header, ByteView body, ContentType& type,
                         MutByteView out) override;
  size_t max_overhead() const override { return explicit_size() + crypto::kAeadTagSize; }
  void release_crypto() override { aead_.release(); }
  size_t max_ciphertext() const override { return kMaxCiphertext12; }
  bool inner_type() const override { return false; }

 private:
  size_t explicit_size() const { return explicit_nonce_ ? kExplicitNonceSize : 0; }
  // GCM: salt || the record's explicit part; ChaCha20: iv XOR the left-padded sequence.
  void nonce(ByteView explicit_part, uint8_t out[crypto::kAeadNonceSize]) const {
    std::copy(iv_.begin(), iv_.end(), out);
    if (explicit_nonce_) {
      std::copy(explicit_part.begin(), explicit_part.end(), out + kGcmSaltSize);
      return;
    }
    for (size_t i = 0; i < kSeqSize; ++i) {
      out[crypto::kAeadNonceSize - 1 - i] ^= static_cast<uint8_t>(seq_ >> (8 * i));
    }
  }

  crypto::Aead aead_;
  bool explicit_nonce_;
  uint16_t version_;
  std::array<uint8_t, crypto::kAeadNonceSize> iv_{};  // GCM uses the first 4 bytes
};

Status Aead12::seal_into(ContentType type, ByteView plaintext, MutByteView out) {
  SNR_ENSURE(plaintext.size() <= kMaxPlaintext, Err::INVALID_ARGUMENT);
  SNR_ENSURE(seq_ != UINT64_MAX, Err::RECORD_LIMIT);
  SNR_ENSURE(out.size() == sealed_size(type, plaintext.size()), Err::INTERNAL);
  const size_t ex = explicit_size();
  put_header(out, type, version_, out.size() - kHeaderSize);
  // The sequence number is a unique explicit nonce (RFC 5288 3 allows it).
  for (size_t i = 0; i < ex; ++i)
    out[kHeaderSize + i] = static_cast<uint8_t>(seq_ >> (8 * (ex - 1 - i)));
  uint8_t n[crypto::kAeadNonceSize];
  nonce(out.subspan(kHeaderSize, ex), n);
  const AdBytes ad = additional_data(seq_, static_cast<uint8_t>(type), version_, plaintext.size());
  SNR_TRY(aead_.seal(n, ad, plaintext, out.subspan(kHeaderSize + ex, plaintext.size()),
                     out.subspan(kHeaderSize + ex + plaintext.size())));
  ++seq_;
  return {};
}

Result<size_t> Aead12::open(ByteView header, MutByteView body, ContentType& type, size_t& offset) {
  const size_t ex = explicit_size();
  SNR_ENSURE(body.size() >= ex + crypto::kAeadTagSize, Err::DECRYPT);
  offset = ex;
  return open_to(header, body, type, body.subspan(ex, body.size() - max_overhead()));
}

Result<size_t> Aead12::open_to(ByteView header, ByteView body, ContentType& type, MutByteView out) {
  SNR_TRY_ASSIGN(Header h, parse_header(header));
  const size_t ex = explicit_size();
  SNR_ENSURE(body.size() >= ex + crypto::kAeadTagSize, Err::DECRYPT);
  SNR_ENSURE(seq_ != UINT64_MAX, Err::RECORD_LIMIT);
  const size_t len = body.size() - ex - crypto::kAeadTagSize;
  SNR_ENSURE(out.size() >= len, Err::INTERNAL);
  uint8_t n[crypto::kAeadNonceSize];
  nonce(body.first(ex), n);
  // The record's own version is authenticated, whatever it is.
  const AdBytes ad = additional_data(seq_, h.type, h.version, len);
  SNR_TRY(aead_.open(n, ad, body.subspan(ex, len), out.first(len), {}, body.subspan(ex + len)));
  ++seq_;
  SNR_ENSURE(len <= kMaxPlaintext, Err::RECORD_LIMIT);
  type = static_cast<ContentType>(h.type);
  return len;
}

// ---- AES-CBC + HMAC, MAC-then-encrypt (RFC 5246 6.2.3.2, RFC 2246 6.2.3.2) ----

class Cbc12 final : public Protection {
 public:
  Cbc12(crypto::Cbc cbc, crypto::Hmac mac, Version version, ByteView iv)
      : cbc_(std::move(cbc)),
        mac_(std::move(mac)),
        mac_size_(crypto::hash_size(mac_.alg())),
        version_(wire_version(version)),
        chained_(version == Version::TLS10) {
    std::copy(iv.begin(), iv.end(), chain_iv_.begin());
  }
  ~Cbc12() override { secure_wipe(chain_iv_.data(), chain_iv_.size()); }

  size_t sealed_size(ContentType type, size_t n) const override {
    return split(type, n) ? one_size(1) + one_size(n - 1) : one_size(n);
  }
  Status seal_into(ContentType type, ByteView plaintext, MutByteView out) override;
  Result<size_t> open(ByteView header, MutByteView body, ContentType& type,
                      size_t& offset) override;
  // Explicit IV, MAC, and up to one block of padding. TLS 1.0 application data may become
  // two records (1/n-1), which adds a second header, MAC and padding block.
  size_t max_overhead() const override {
    const size_t one = iv_size() + mac_size_ + kBlock;
    return chained_ ? kHeaderSize + 2 * one : one;
  }
  size_t max_ciphertext() const override { return kMaxCiphertext12; }
  bool inner_type() const override { return false; }
  ByteView implicit_iv() const override { return chained_ ? ByteView(chain_iv_) : ByteView(); }

 private:
  size_t iv_size() const { return chained_ ? 0 : kBlock; }
  // content || padding || padding_length fills whole blocks, the padding minimal.
  size_t padded_size(size_t n) const { return (n + mac_size_ + 1 + kBlock - 1) / kBlock * kBlock; }
  size_t one_size(size_t n) const { return kHeaderSize + iv_size() + padded_size(n); }
  // BEAST countermeasure: TLS 1.0 application data goes as a first record with one byte,
  // which makes the IV of the record carrying the rest unpredictable to an attacker who
  // chose the first bytes.
  bool split(ContentType type, size_t n) const {
    return chained_ && type == ContentType::application_data && n > 1;
  }
  Status seal_one(ContentType type, ByteView plaintext, MutByteView out);
  // Checks padding and MAC of a decrypted fragment in constant time; the content length.
  Result<size_t> verify(const Header& h, ByteView plain);

  crypto::Cbc cbc_;
  crypto::Hmac mac_;
  size_t mac_size_;
  uint16_t version_;
  bool chained_;  // TLS 1.0: each record's IV is the previous record's last cipher block
  std::array<uint8_t, kBlock> chain_iv_{};
};

Status Cbc12::seal_into(ContentType type, ByteView plaintext, MutByteView out) {
  SNR_ENSURE(plaintext.size() <= kMaxPlaintext, Err::INVALID_ARGUMENT);
  SNR_ENSURE(out.size() == sealed_size(type, plaintext.size()), Err::INTERNAL);
  if (split(type, plaintext.size())) {
    SNR_ENSURE(seq_ < UINT64_MAX - 1, Err::RECORD_LIMIT);
    const size_t first = one_size(1);
    SNR_TRY(seal_one(type, plaintext.first(1), out.first(first)));
    return seal_one(type, plaintext.subspan(1), out.subspan(first));
  }
  return seal_one(type, plaintext, out);
}

Status Cbc12::seal_one(ContentType type, ByteView plaintext, MutByteView out) {
  SNR_ENSURE(seq_ != UINT64_MAX, Err::RECORD_LIMIT);
  const size_t padded = padded_size(plaintext.size());
  const size_t content = plaintext.size() + mac_size_;
  const uint8_t pad = static_cast<uint8_t>(padded - content - 1);
  const AdBytes ad = additional_data(seq_, static_cast<uint8_t>(type), version_, plaintext.size());
  SNR_TRY(mac_.update(ad));
  SNR_TRY(mac_.update(plaintext));
  SNR_TRY_ASSIGN(crypto::Digest mac, mac_.finish());

  put_header(out, type, version_, iv_size() + padded);
  const MutByteView data = out.subspan(kHeaderSize + iv_size());
  std::copy(plaintext.begin(), plaintext.end(), data.begin());
  const ByteView m = mac.view();
  std::copy(m.begin(), m.end(), data.begin() + static_cast<std::ptrdiff_t>(plaintext.size()));
  std::fill(data.begin() + static_cast<std::ptrdiff_t>(content), data.end(), pad);
  std::array<uint8_t, kBlock> iv = chain_iv_;
  if (!chained_) {
    SNR_TRY(crypto::random_bytes(iv));
    std::copy(iv.begin(), iv.end(), out.begin() + kHeaderSize);
  }
  SNR_TRY(cbc_.encrypt(iv, data));
  if (chained_) std::copy(data.end() - kBlock, data.end(), chain_iv_.begin());
  ++seq_;
  return {};
}

Result<size_t> Cbc12::open(ByteView header, MutByteView body, ContentType& type, size_t& offset) {
  SNR_TRY_ASSIGN(Header h, parse_header(header));
  // At least the MAC and the padding_length byte, in whole blocks.
  const size_t min_data = (mac_size_ + 1 + kBlock - 1) / kBlock * kBlock;
  SNR_ENSURE(body.size() % kBlock == 0 && body.size() >= iv_size() + min_data, Err::DECRYPT);
  SNR_ENSURE(seq_ != UINT64_MAX, Err::RECORD_LIMIT);
  std::array<uint8_t, kBlock> iv = chain_iv_;
  if (!chained_) std::copy_n(body.begin(), kBlock, iv.begin());
  const MutByteView data = body.subspan(iv_size());
  std::array<uint8_t, kBlock> next_iv{};
  std::copy(data.end() - kBlock, data.end(), next_iv.begin());
  SNR_TRY(cbc_.decrypt(iv, data));
  if (chained_) chain_iv_ = next_iv;
  SNR_TRY_ASSIGN(size_t len, verify(h, data));
  ++seq_;
  SNR_ENSURE(len <= kMaxPlaintext, Err::RECORD_LIMIT);
  type = static_cast<ContentType>(h.type);
  offset = iv_size();
  return len;
}

Result<size_t> Cbc12::verify(const Header& h, ByteView plain) {
  SNR_TRY_ASSIGN(CbcCheck check, cbc_check_record(mac_, sequence(), h.type, h.version, plain));
  // The verdict itself becomes public here: the record is accepted or rejected.
  if (check.good == 0) return make_error(Err::DECRYPT);
  return check.content;
}

}  // namespace

// Lucky13-class timing attacks learn the padding length from how long the check takes.
// Here no branch and no memory address depends on the padding or MAC bytes: the MAC over the
// secret-length content is computed by Hmac::finish_secret_length, which does the same work
// for every content length the record allows.
Result<CbcCheck> cbc_check_record(crypto::Hmac& mac, uint64_t seq, uint8_t type, uint16_t version,
                                  ByteView plain) {
  const size_t len = plain.size();  // public
  const size_t mac_size = crypto::hash_size(mac.alg());
  SNR_ENSURE(len >= mac_size + 1, Err::DECRYPT);
  const size_t pad = plain[len - 1];  // secret from here on

  // The padding must fit and every padding byte must equal padding_length.
  size_t good = ct_ge(len, mac_size + 1 + pad);
  const size_t scan = std::min(len, kMaxPadding + 1);
  for (size_t t = 1; t < scan; ++t) {
    const size_t in_pad = ct_lt(t, pad + 1);
    good &= ~in_pad | ct_eq(plain[len - 1 - t], pad);
  }
  // With bad padding, go on as if there were none, so the work below looks the same.
  const size_t content = len - mac_size - 1 - (pad & good);

  // The MAC over the additional data (which carries the secret content length) and the
  // content, out of at most max_content bytes of which min_content are surely content.
  const AdBytes ad = additional_data(seq, type, version, content);
  const size_t max_content = len - mac_size - 1;
  const size_t min_content = max_content > kMaxPadding ? max_content - kMaxPadding : 0;
  SNR_TRY_ASSIGN(crypto::Digest expected,
                 mac.finish_secret_length(ad, plain.first(max_content), content, min_content));

  // Copy the received MAC out without a secret-dependent address: scan every position it can
  // start at, collecting it rotated by (its start - scan_start) mod mac_size, then undo the
  // rotation with a full scan per byte.
  const size_t mac_start = content;
  const size_t scan_start = len > mac_size + kMaxPadding + 1 ? len - mac_size - kMaxPadding - 1 : 0;
  std::array<uint8_t, crypto::kMaxHashSize> rotated{};
  size_t rotation = 0;
  size_t j = 0;
  for (size_t i = scan_start; i < len - 1; ++i) {
    rotation |= j & ct_eq(i, mac_start);
    const size_t in_mac = ct_ge(i, mac_start) & ct_lt(i, mac_start + mac_size);
    rotated[j] |= static_cast<uint8_t>(plain[i] & low8(in_mac));
    j = j + 1 == mac_size ? 0 : j + 1;  // depends on i only
  }
  uint8_t diff = 0;
  for (size_t k = 0; k < mac_size; ++k) {
    // Laundering k keeps the compiler from making rotation + k the loop counter, which would
    // put the secret rotation into the loop's exit test and into the address of expected[k].
    size_t at = opaque(k) + rotation;
    at -= mac_size & ct_ge(at, mac_size);
    uint8_t byte = 0;
    for (size_t m = 0; m < mac_size; ++m)
      byte |= static_cast<uint8_t>(rotated[m] & low8(ct_eq(m, at)));
    diff |= static_cast<uint8_t>(byte ^ expected.bytes[k]);
  }
  secure_wipe(rotated.data(), rotated.size());
  // One verdict for bad padding and bad MAC alike (bad_record_mac).
  return CbcCheck{good & ct_eq(diff, 0), content};
}

Result<std::unique_ptr<Protection>> make_protection12(const policy::CipherSuite& suite,
                                                      Version version,
                                                      const keys::DirectionKeys& keys) {
  if (suite.is_tls13() ||
      (version != Version::TLS10 && version != Version::TLS11 && version != Version::TLS12)) {
    return make_error(Err::INVALID_ARGUMENT, "not a TLS 1.0-1.2 suite and version");
  }
  const uint16_t wire = wire_version(version);
  if (suite.is_aead()) {
    if (version != Version::TLS12) return make_error(Err::INVALID_ARGUMENT, "AEAD below TLS 1.2");
    const crypto::AeadAlg alg = suite.aead();
    const size_t iv_size =
        alg == crypto::AeadAlg::CHACHA20_POLY1305 ? crypto::kAeadNonceSize : kGcmSaltSize;
    if (keys.iv.size() != iv_size) return make_error(Err::INVALID_ARGUMENT, "AEAD IV size");
    SNR_TRY_ASSIGN(crypto::Aead aead, crypto::Aead::create(alg, keys.enc_key.view()));
    return std::unique_ptr<Protection>(new Aead12(std::move(aead), keys.iv.view(), wire));
  }
  crypto::CbcAlg alg;
  switch (suite.cipher) {
    case policy::BulkCipher::AES_128_CBC:
      alg = crypto::CbcAlg::AES_128_CBC;
      break;
    case policy::BulkCipher::AES_256_CBC:
      alg = crypto::CbcAlg::AES_256_CBC;
      break;
    default:
      return make_error(Err::INVALID_ARGUMENT, "bulk cipher not implemented");
  }
  if (keys.mac_key.size() != crypto::hash_size(suite.mac)) {
    return make_error(Err::INVALID_ARGUMENT, "MAC key size");
  }
  // TLS 1.1 and later send an explicit IV with every record; only TLS 1.0 needs keys.iv.
  if (version == Version::TLS10 && keys.iv.size() != kBlock) {
    return make_error(Err::INVALID_ARGUMENT, "CBC IV size");
  }
  SNR_TRY_ASSIGN(crypto::Cbc cbc, crypto::Cbc::create(alg, keys.enc_key.view(), true));
  SNR_TRY_ASSIGN(crypto::Hmac mac, crypto::Hmac::create(suite.mac, keys.mac_key.view()));
  return std::unique_ptr<Protection>(
      new Cbc12(std::move(cbc), std::move(mac), version,
                version == Version::TLS10 ? keys.iv.view() : ByteView()));
}

}  // namespace snr::record
