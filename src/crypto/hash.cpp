#include "crypto/hash.hpp"

// The low-level digest API is deprecated in OpenSSL 3; why snr uses it: see Md5Sha1State.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/md5.h>
#include <openssl/sha.h>

#include <algorithm>
#include <climits>

#include "util/error_code.hpp"

namespace snr::crypto {

namespace detail {
// Shared with the other crypto/*.cpp files (declared there too, no header: the declaration
// names OpenSSL types, which must not leak out of src/crypto/*.cpp).
const EVP_MD* fetched_md(HashAlg alg);
}  // namespace detail

namespace {

constexpr size_t kAlgCount = 7;

size_t index_of(HashAlg alg) { return static_cast<size_t>(alg); }

const char* md_name(HashAlg alg) {
  switch (alg) {
    case HashAlg::SHA256:
      return "SHA2-256";
    case HashAlg::SHA384:
      return "SHA2-384";
    case HashAlg::SHA512:
      return "SHA2-512";
    case HashAlg::SHA224:
      return "SHA2-224";
    case HashAlg::SHA1:
      return "SHA1";
    case HashAlg::MD5:
      return "MD5";
    case HashAlg::MD5_SHA1:
      return "MD5-SHA1";
  }
  return nullptr;
}

bool valid_alg(HashAlg alg) { return index_of(alg) < kAlgCount; }

// Implicit fetches (EVP_sha256() and friends) cost a method-store lookup on every init in
// OpenSSL 3, so every digest is fetched explicitly once and kept for the process lifetime.
struct MdTable {
  std::array<EVP_MD*, kAlgCount> md{};
  MdTable() {
    for (size_t i = 0; i < kAlgCount; ++i) {
      md[i] = EVP_MD_fetch(nullptr, md_name(static_cast<HashAlg>(i)), nullptr);
    }
    // MD5 and MD5-SHA1 may be missing (FIPS); that is reported when used, not here.
    ERR_clear_error();
  }
  ~MdTable() {
    for (EVP_MD* m : md) EVP_MD_free(m);
  }
};

const MdTable& md_table() {
  static const MdTable table;
  return table;
}

Error crypto_error(const char* what) {
  ERR_clear_error();
  return make_error(Err::CRYPTO, what);
}

// The low-level digest functions run the same assembly cores as the EVP digests, without the
// provider round trip and without the heap: every EVP context copy (a transcript snapshot,
// an HMAC rewind) allocates. OpenSSL 3 deprecates them in favour of EVP but still ships
// them; they bypass a FIPS provider, which snr does not claim to use.
struct Md5Sha1State {
  MD5_CTX md5;
  SHA_CTX sha1;
};
static_assert(sizeof(SHA512_CTX) <= sizeof(detail::MdState::raw));
static_assert(sizeof(Md5Sha1State) <= sizeof(detail::MdState::raw));
static_assert(alignof(SHA512_CTX) <= alignof(detail::MdState) &&
              alignof(Md5Sha1State) <= alignof(detail::MdState));

template <typename T>
T* as(detail::MdState& s) {
  return reinterpret_cast<T*>(s.raw.data());
}

bool md_init(HashAlg alg, detail::MdState& s) {
  switch (alg) {
    case HashAlg::SHA256:
      return SHA256_Init(as<SHA256_CTX>(s)) == 1;
    case HashAlg::SHA224:
      return SHA224_Init(as<SHA256_CTX>(s)) == 1;
    case HashAlg::SHA384:
      return SHA384_Init(as<SHA512_CTX>(s)) == 1;
    case HashAlg::SHA512:
      return SHA512_Init(as<SHA512_CTX>(s)) == 1;
    case HashAlg::SHA1:
      return SHA1_Init(as<SHA_CTX>(s)) == 1;
    case HashAlg::MD5:
      return MD5_Init(as<MD5_CTX>(s)) == 1;
    case HashAlg::MD5_SHA1: {
      Md5Sha1State* st = as<Md5Sha1State>(s);
      return MD5_Init(&st->md5) == 1 && SHA1_Init(&st->sha1) == 1;
    }
  }
  return false;
}

bool md_update(HashAlg alg, detail::MdState& s, ByteView data) {
  if (data.empty()) return true;
  const uint8_t* p = data.data();
  const size_t n = data.size();
  switch (alg) {
    case HashAlg::SHA256:
    case HashAlg::SHA224:
      return SHA256_Update(as<SHA256_CTX>(s), p, n) == 1;
    case HashAlg::SHA384:
    case HashAlg::SHA512:
      return SHA512_Update(as<SHA512_CTX>(s), p, n) == 1;
    case HashAlg::SHA1:
      return SHA1_Update(as<SHA_CTX>(s), p, n) == 1;
    case HashAlg::MD5:
      return MD5_Update(as<MD5_CTX>(s), p, n) == 1;
    case HashAlg::MD5_SHA1: {
      Md5Sha1State* st = as<Md5Sha1State>(s);
      return MD5_Update(&st->md5, p, n) == 1 && SHA1_Update(&st->sha1, p, n) == 1;
    }
  }
  return false;
}

// Finalizes `s` (which is then spent) into out.
bool md_final(HashAlg alg, detail::MdState& s, Digest& out) {
  uint8_t* o = out.bytes.data();
  out.len = hash_size(alg);
  switch (alg) {
    case HashAlg::SHA256:
      return SHA256_Final(o, as<SHA256_CTX>(s)) == 1;
    case HashAlg::SHA224:
      return SHA224_Final(o, as<SHA256_CTX>(s)) == 1;
    case HashAlg::SHA384:
      return SHA384_Final(o, as<SHA512_CTX>(s)) == 1;
    case HashAlg::SHA512:
      return SHA512_Final(o, as<SHA512_CTX>(s)) == 1;
    case HashAlg::SHA1:
      return SHA1_Final(o, as<SHA_CTX>(s)) == 1;
    case HashAlg::MD5:
      return MD5_Final(o, as<MD5_CTX>(s)) == 1;
    case HashAlg::MD5_SHA1: {
      Md5Sha1State* st = as<Md5Sha1State>(s);
      return MD5_Final(o, &st->md5) == 1 && SHA1_Final(o + MD5_DIGEST_LENGTH, &st->sha1) == 1;
    }
  }
  return false;
}

void wipe_state(detail::MdState& s) { secure_wipe(s.raw.data(), s.raw.size()); }

}  // namespace

namespace detail {
const EVP_MD* fetched_md(HashAlg alg) {
  if (!valid_alg(alg)) return nullptr;
  return md_table().md[index_of(alg)];
}
}  // namespace detail

size_t hash_size(HashAlg alg) {
  switch (alg) {
    case HashAlg::SHA256:
      return 32;
    case HashAlg::SHA384:
      return 48;
    case HashAlg::SHA512:
      return 64;
    case HashAlg::SHA224:
      return 28;
    case HashAlg::SHA1:
      return 20;
    case HashAlg::MD5:
      return 16;
    case HashAlg::MD5_SHA1:
      return 36;
  }
  return 0;
}

namespace {
// log2 of the block size and the width of the message-length field of the final padding.
struct BlockShape {
  size_t log2_block;
  size_t length_field;
};
BlockShape block_shape(HashAlg alg) {
  switch (alg) {
    case HashAlg::SHA384:
    case HashAlg::SHA512:
      return {7, 16};
    case HashAlg::SHA256:
    case HashAlg::SHA224:
    case HashAlg::SHA1:
    case HashAlg::MD5:
    case HashAlg::MD5_SHA1:
      return {6, 8};
  }
  return {6, 8};
}
}  // namespace

size_t hash_block_size(HashAlg alg) { return size_t{1} << block_shape(alg).log2_block; }

// Merkle-Damgard padding appends 0x80, zeros and the length field, so the last block holds
// at most B - 1 - length_field message bytes: blocks = floor((n + length_field + B) / B).
size_t hash_blocks(HashAlg alg, size_t n) {
  const BlockShape shape = block_shape(alg);
  return (n + shape.length_field + (size_t{1} << shape.log2_block)) >> shape.log2_block;
}

Result<Hash> Hash::create(HashAlg alg) {
  if (!valid_alg(alg)) return make_error(Err::INVALID_ARGUMENT, "unknown hash");
  Hash h(alg);
  if (!md_init(alg, h.state_)) return crypto_error("digest init");
  return h;
}

Hash::~Hash() { wipe_state(state_); }

Status Hash::update(ByteView data) {
  if (!md_update(alg_, state_, data)) return crypto_error("digest update");
  return {};
}

Result<Digest> Hash::peek() const {
  // Finalizing spends a state, so finalize a fork and keep the running one.
  detail::MdState fork = state_;
  Digest d;
  const bool ok = md_final(alg_, fork, d);
  wipe_state(fork);
  if (!ok) return crypto_error("digest final");
  return d;
}

Status Hash::reset() {
  if (!md_init(alg_, state_)) return crypto_error("digest reset");
  return {};
}

Result<Digest> hash_once(HashAlg alg, ByteView data) {
  SNR_TRY_ASSIGN(Hash h, Hash::create(alg));
  SNR_TRY(h.update(data));
  return h.peek();
}

// RFC 2104: H((K0 ^ opad) || H((K0 ^ ipad) || m)), K0 the key (hashed first when longer
// than a block) padded with zeros to the block size.
Result<Hmac> Hmac::create(HashAlg alg, ByteView key) {
  if (!valid_alg(alg)) return make_error(Err::INVALID_ARGUMENT, "unknown hash");
  if (alg == HashAlg::MD5_SHA1) return make_error(Err::INVALID_ARGUMENT, "no HMAC over MD5-SHA1");
  const size_t block = hash_block_size(alg);
  std::array<uint8_t, 128> pad{};
  Digest hashed;
  if (key.size() > block) {
    SNR_TRY_ASSIGN(hashed, hash_once(alg, key));
    key = hashed.view();
  }
  std::copy(key.begin(), key.end(), pad.begin());
  Hmac h(alg);
  for (size_t i = 0; i < block; ++i) pad[i] ^= 0x36;
  bool ok = md_init(alg, h.inner_pad_) && md_update(alg, h.inner_pad_, ByteView(pad.data(), block));
  // 0x36 ^ 0x5c turns the inner pad into the outer one.
  for (size_t i = 0; i < block; ++i) pad[i] ^= 0x36 ^ 0x5c;
  ok =
      ok && md_init(alg, h.outer_pad_) && md_update(alg, h.outer_pad_, ByteView(pad.data(), block));
  secure_wipe(pad.data(), pad.size());
  if (!ok) return crypto_error("HMAC key setup");
  h.running_ = h.inner_pad_;
  return h;
}

void Hmac::wipe() {
  wipe_state(inner_pad_);
  wipe_state(outer_pad_);
  wipe_state(running_);
}

Hmac::~Hmac() { wipe(); }

Hmac::Hmac(Hmac&& o) noexcept
    : alg_(o.alg_),
      live_(o.live_),
      inner_pad_(o.inner_pad_),
      outer_pad_(o.outer_pad_),
      running_(o.running_) {
  o.wipe();
  o.live_ = false;
}

Hmac& Hmac::operator=(Hmac&& o) noexcept {
  if (this != &o) {
    alg_ = o.alg_;
    live_ = o.live_;
    inner_pad_ = o.inner_pad_;
    outer_pad_ = o.outer_pad_;
    running_ = o.running_;
    o.wipe();
    o.live_ = false;
  }
  return *this;
}

Status Hmac::update(ByteView data) {
  if (!live_) return make_error(Err::INVALID_STATE, "HMAC has no state");
  if (!md_update(alg_, running_, data)) return crypto_error("HMAC update");
  return {};
}

Result<Digest> Hmac::finish() {
  if (!live_) return make_error(Err::INVALID_STATE, "HMAC has no state");
  Digest inner, out;
  detail::MdState outer = outer_pad_;
  const bool ok = md_final(alg_, running_, inner) && md_update(alg_, outer, inner.view()) &&
                  md_final(alg_, outer, out);
  wipe_state(outer);
  running_ = inner_pad_;
  if (!ok) return crypto_error("HMAC final");
  return out;
}

namespace {

// Masks are all ones (true) or zero. The empty asm hides a mask's value from the optimizer,
// which could otherwise turn the mask arithmetic back into a branch.
inline uint64_t opaque(uint64_t x) {
  __asm__("" : "+r"(x));
  return x;
}
// Valid for a, b < 2^63.
inline uint64_t ct_lt(uint64_t a, uint64_t b) { return opaque(uint64_t{0} - ((a - b) >> 63)); }
inline uint64_t ct_eq(uint64_t a, uint64_t b) {
  const uint64_t x = a ^ b;
  return opaque(uint64_t{0} - ((~x & (x - 1)) >> 63));
}

// The raw compression function over one block, and the chaining value as big-endian bytes.
void md_block(HashAlg alg, detail::MdState& s, const uint8_t* block) {
  switch (alg) {
    case HashAlg::SHA1:
      SHA1_Transform(as<SHA_CTX>(s), block);
      return;
    case HashAlg::SHA256:
      SHA256_Transform(as<SHA256_CTX>(s), block);
      return;
    case HashAlg::SHA384:
      SHA512_Transform(as<SHA512_CTX>(s), block);
      return;
    default:
      return;
  }
}

template <typename Word>
void put_be(Word w, uint8_t* out) {
  for (size_t i = 0; i < sizeof(Word); ++i) {
    out[i] = static_cast<uint8_t>(w >> (8 * (sizeof(Word) - 1 - i)));
  }
}

// ORs the chaining value of `s` into `out` where `mask` is all ones.
void md_capture(HashAlg alg, detail::MdState& s, uint64_t mask, Digest& out) {
  uint8_t bytes[kMaxHashSize] = {};
  switch (alg) {
    case HashAlg::SHA1: {
      const SHA_CTX* c = as<SHA_CTX>(s);
      const SHA_LONG h[5] = {c->h0, c->h1, c->h2, c->h3, c->h4};
      for (size_t i = 0; i < 5; ++i) put_be(h[i], bytes + 4 * i);
      break;
    }
    case HashAlg::SHA256:
      for (size_t i = 0; i < 8; ++i) put_be(as<SHA256_CTX>(s)->h[i], bytes + 4 * i);
      break;
    case HashAlg::SHA384:
      for (size_t i = 0; i < 6; ++i) put_be(as<SHA512_CTX>(s)->h[i], bytes + 8 * i);
      break;
    default:
      break;
  }
  for (size_t i = 0; i < out.len; ++i) out.bytes[i] |= static_cast<uint8_t>(bytes[i] & mask);
  secure_wipe(bytes, sizeof(bytes));
}

}  // namespace

// The inner hash runs over ipad || prefix || data[0, len) and its padding. Blocks that lie
// wholly inside prefix || data[0, min_len) are hashed as they are; every later block up to the
// last one the longest message can need is built byte by byte with masks (message byte,
// 0x80, zero, or the bit length in the block that ends the real message), compressed, and its
// chaining value kept under a mask when it is that final block.
Result<Digest> Hmac::finish_secret_length(ByteView prefix, ByteView data, size_t len,
                                          size_t min_len) {
  if (!live_) return make_error(Err::INVALID_STATE, "HMAC has no state");
  if (alg_ != HashAlg::SHA1 && alg_ != HashAlg::SHA256 && alg_ != HashAlg::SHA384) {
    return make_error(Err::INVALID_ARGUMENT, "no constant-time HMAC for this hash");
  }
  if (min_len > data.size()) return make_error(Err::INVALID_ARGUMENT, "HMAC lengths");
  const size_t block = hash_block_size(alg_);
  const size_t length_field = block == 128 ? 16 : 8;
  const size_t max_msg = prefix.size() + data.size();  // after the ipad block
  const uint64_t msg = prefix.size() + len;            // secret
  const auto byte_at = [&](size_t pos) -> uint8_t {    // pos public, below max_msg
    return pos < prefix.size() ? prefix[pos] : data[pos - prefix.size()];
  };
  // The chaining value after the ipad block; running_ has absorbed nothing more.
  detail::MdState state = inner_pad_;
  std::array<uint8_t, 128> buf{};
  const size_t public_blocks = (prefix.size() + min_len) / block;
  for (size_t b = 0; b < public_blocks; ++b) {
    for (size_t i = 0; i < block; ++i) buf[i] = byte_at(b * block + i);
    md_block(alg_, state, buf.data());
  }
  // Blocks needed for n message bytes: the 0x80 byte and the length field must fit.
  const auto blocks_for = [&](uint64_t n) { return (n + length_field + block) / block; };
  const size_t last_block = blocks_for(max_msg) - 1;
  const uint64_t final_block = blocks_for(msg) - 1;  // secret
  // The bit length counts the ipad block too. Big-endian in the last length_field bytes.
  const uint64_t bits = (block + msg) * 8;
  Digest inner;
  inner.len = hash_size(alg_);
  for (size_t b = public_blocks; b <= last_block; ++b) {
    const uint64_t is_final = ct_eq(b, final_block);
    for (size_t i = 0; i < block; ++i) {
      const size_t pos = b * block + i;
      const uint8_t byte = pos < max_msg ? byte_at(pos) : 0;
      // A fresh opaque copy each time: otherwise the optimizer may keep pos - msg as the
      // loop variable and rebuild pos (and so the byte's address) from the secret msg.
      const uint64_t m = opaque(msg);
      const uint64_t in_msg = ct_lt(pos, m);
      const uint64_t at_end = ct_eq(pos, m);
      uint8_t v = static_cast<uint8_t>((byte & in_msg) | (0x80 & at_end));
      if (i >= block - 8) {
        const uint8_t len_byte = static_cast<uint8_t>(bits >> (8 * (block - 1 - i)));
        v = static_cast<uint8_t>((v & ~is_final) | (len_byte & is_final));
      }
      buf[i] = v;
    }
    md_block(alg_, state, buf.data());
    md_capture(alg_, state, is_final, inner);
  }
  secure_wipe(buf.data(), buf.size());
  wipe_state(state);
  Digest out;
  detail::MdState outer = outer_pad_;
  const bool ok = md_update(alg_, outer, inner.view()) && md_final(alg_, outer, out);
  wipe_state(outer);
  if (!ok) return crypto_error("HMAC final");
  return out;
}

Result<Digest> hmac(HashAlg alg, ByteView key, ByteView data) {
  SNR_TRY_ASSIGN(Hmac h, Hmac::create(alg, key));
  SNR_TRY(h.update(data));
  return h.finish();
}

// RFC 5869 2.2.
Result<Digest> hkdf_extract(HashAlg alg, ByteView salt, ByteView ikm) {
  if (!salt.empty()) return hmac(alg, salt, ikm);
  const std::array<uint8_t, kMaxHashSize> zeros{};
  return hmac(alg, ByteView(zeros.data(), hash_size(alg)), ikm);
}

// RFC 5869 2.3: T(i) = HMAC(PRK, T(i-1) | info | i), OKM = first L bytes of T(1) | T(2) ...
Status hkdf_expand(HashAlg alg, ByteView prk, ByteView info, MutByteView out) {
  return hkdf_expand(alg, prk, std::span<const ByteView>(&info, 1), out);
}

Status hkdf_expand(HashAlg alg, ByteView prk, std::span<const ByteView> info, MutByteView out) {
  SNR_TRY_ASSIGN(Hmac mac, Hmac::create(alg, prk));
  return hkdf_expand(mac, info, out);
}

Status hkdf_expand(Hmac& mac, std::span<const ByteView> info, MutByteView out) {
  const size_t hlen = hash_size(mac.alg());
  if (out.size() > 255 * hlen) return make_error(Err::INVALID_ARGUMENT, "HKDF output too long");
  if (out.empty()) return {};
  Digest t;
  size_t done = 0;
  for (uint8_t i = 1; done < out.size(); ++i) {
    SNR_TRY(mac.update(t.view()));
    for (ByteView part : info) SNR_TRY(mac.update(part));
    SNR_TRY(mac.update(ByteView(&i, 1)));
    SNR_TRY_ASSIGN(t, mac.finish());
    const size_t n = std::min(t.len, out.size() - done);
    std::copy_n(t.bytes.begin(), n, out.begin() + static_cast<std::ptrdiff_t>(done));
    done += n;
  }
  return {};
}

}  // namespace snr::crypto
