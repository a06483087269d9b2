#include "crypto/hash.hpp"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

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

EVP_MAC* fetched_hmac() {
  static EVP_MAC* const mac = [] {
    EVP_MAC* m = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    ERR_clear_error();
    return m;
  }();
  return mac;
}

// Setting the HMAC digest by name makes the provider fetch that digest again, so each
// thread keeps one MAC context per hash, with its digest set once; a new key re-inits it.
struct ThreadMacs {
  std::array<EVP_MAC_CTX*, kAlgCount> ctx{};
  ~ThreadMacs() {
    for (EVP_MAC_CTX* c : ctx) EVP_MAC_CTX_free(c);
  }
};

EVP_MAC_CTX* thread_mac(HashAlg alg) {
  thread_local ThreadMacs macs;
  EVP_MAC_CTX*& slot = macs.ctx[index_of(alg)];
  if (slot != nullptr) return slot;
  EVP_MAC* mac = fetched_hmac();
  if (mac == nullptr) return nullptr;
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  if (ctx == nullptr) return nullptr;
  OSSL_PARAM params[2] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(md_name(alg)), 0),
      OSSL_PARAM_construct_end()};
  if (EVP_MAC_CTX_set_params(ctx, params) != 1) {
    EVP_MAC_CTX_free(ctx);
    ERR_clear_error();
    return nullptr;
  }
  slot = ctx;
  return slot;
}

Error crypto_error(const char* what) {
  ERR_clear_error();
  return make_error(Err::CRYPTO, what);
}

// HMAC-Init with `key`; an empty key still needs a non-null pointer (null means "same key").
Status mac_init(EVP_MAC_CTX* ctx, ByteView key) {
  static const uint8_t kEmpty = 0;
  const uint8_t* k = key.empty() ? &kEmpty : key.data();
  if (EVP_MAC_init(ctx, k, key.size(), nullptr) != 1) return crypto_error("HMAC init");
  return {};
}

Status mac_update(EVP_MAC_CTX* ctx, ByteView data) {
  if (data.empty()) return {};
  if (EVP_MAC_update(ctx, data.data(), data.size()) != 1) return crypto_error("HMAC update");
  return {};
}

Status mac_final(EVP_MAC_CTX* ctx, Digest& out) {
  size_t len = 0;
  if (EVP_MAC_final(ctx, out.bytes.data(), &len, out.bytes.size()) != 1) {
    return crypto_error("HMAC final");
  }
  out.len = len;
  return {};
}

Result<EVP_MAC_CTX*> mac_for(HashAlg alg) {
  if (!valid_alg(alg)) return make_error(Err::INVALID_ARGUMENT, "unknown hash");
  if (alg == HashAlg::MD5_SHA1) return make_error(Err::INVALID_ARGUMENT, "no HMAC over MD5-SHA1");
  EVP_MAC_CTX* ctx = thread_mac(alg);
  if (ctx == nullptr) return make_error(Err::CRYPTO, "HMAC unavailable for this hash");
  return ctx;
}

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
  const EVP_MD* md = detail::fetched_md(alg);
  if (md == nullptr) return make_error(Err::CRYPTO, "digest unavailable");
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) return make_error(Err::ALLOC, "EVP_MD_CTX_new");
  if (EVP_DigestInit_ex2(ctx, md, nullptr) != 1) {
    EVP_MD_CTX_free(ctx);
    return crypto_error("digest init");
  }
  return Hash(alg, ctx);
}

Hash::Hash(const Hash& o) : alg_(o.alg_), ctx_(nullptr) {
  if (o.ctx_ == nullptr) return;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) return;
  if (EVP_MD_CTX_copy_ex(ctx, static_cast<const EVP_MD_CTX*>(o.ctx_)) != 1) {
    // A failed fork leaves this hash unusable; update()/peek() then report the error.
    EVP_MD_CTX_free(ctx);
    ERR_clear_error();
    return;
  }
  ctx_ = ctx;
}

Hash& Hash::operator=(const Hash& o) {
  if (this == &o) return *this;
  Hash copy(o);
  *this = std::move(copy);
  return *this;
}

Hash::Hash(Hash&& o) noexcept : alg_(o.alg_), ctx_(o.ctx_) { o.ctx_ = nullptr; }

Hash& Hash::operator=(Hash&& o) noexcept {
  if (this != &o) {
    EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_));
    alg_ = o.alg_;
    ctx_ = o.ctx_;
    o.ctx_ = nullptr;
  }
  return *this;
}

Hash::~Hash() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

Status Hash::update(ByteView data) {
  if (ctx_ == nullptr) return make_error(Err::INVALID_STATE, "hash has no context");
  if (data.empty()) return {};
  if (EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size()) != 1) {
    return crypto_error("digest update");
  }
  return {};
}

Result<Digest> Hash::peek() const {
  if (ctx_ == nullptr) return make_error(Err::INVALID_STATE, "hash has no context");
  // Finalizing consumes a context, so finalize a fork and keep the running state.
  EVP_MD_CTX* fork = EVP_MD_CTX_new();
  if (fork == nullptr) return make_error(Err::ALLOC, "EVP_MD_CTX_new");
  Digest d;
  unsigned int len = 0;
  bool ok = EVP_MD_CTX_copy_ex(fork, static_cast<const EVP_MD_CTX*>(ctx_)) == 1 &&
            EVP_DigestFinal_ex(fork, d.bytes.data(), &len) == 1;
  EVP_MD_CTX_free(fork);
  if (!ok) return crypto_error("digest final");
  d.len = len;
  return d;
}

Status Hash::reset() {
  if (ctx_ == nullptr) return make_error(Err::INVALID_STATE, "hash has no context");
  // A null digest keeps the context's own: no fetch.
  if (EVP_DigestInit_ex2(static_cast<EVP_MD_CTX*>(ctx_), nullptr, nullptr) != 1) {
    return crypto_error("digest reset");
  }
  return {};
}

Result<Digest> hash_once(HashAlg alg, ByteView data) {
  const EVP_MD* md = detail::fetched_md(alg);
  if (md == nullptr) return make_error(Err::CRYPTO, "digest unavailable");
  Digest d;
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), d.bytes.data(), &len, md, nullptr) != 1) {
    return crypto_error("digest");
  }
  d.len = len;
  return d;
}

Result<Digest> hmac(HashAlg alg, ByteView key, ByteView data) {
  SNR_TRY_ASSIGN(EVP_MAC_CTX * ctx, mac_for(alg));
  Digest d;
  SNR_TRY(mac_init(ctx, key));
  SNR_TRY(mac_update(ctx, data));
  SNR_TRY(mac_final(ctx, d));
  return d;
}

Result<Hmac> Hmac::create(HashAlg alg, ByteView key) {
  SNR_TRY_ASSIGN(EVP_MAC_CTX * proto, mac_for(alg));
  // A duplicate of this thread's context carries its digest along: no fetch by name.
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_dup(proto);
  if (ctx == nullptr) return crypto_error("HMAC context dup");
  Hmac h(alg, ctx);
  SNR_TRY(mac_init(ctx, key));
  return h;
}

Hmac::Hmac(Hmac&& o) noexcept : alg_(o.alg_), ctx_(o.ctx_) { o.ctx_ = nullptr; }

Hmac& Hmac::operator=(Hmac&& o) noexcept {
  if (this != &o) {
    EVP_MAC_CTX_free(static_cast<EVP_MAC_CTX*>(ctx_));
    alg_ = o.alg_;
    ctx_ = o.ctx_;
    o.ctx_ = nullptr;
  }
  return *this;
}

// The HMAC provider cleanses its key and pads when freed.
Hmac::~Hmac() { EVP_MAC_CTX_free(static_cast<EVP_MAC_CTX*>(ctx_)); }

Status Hmac::update(ByteView data) {
  if (ctx_ == nullptr) return make_error(Err::INVALID_STATE, "HMAC has no context");
  return mac_update(static_cast<EVP_MAC_CTX*>(ctx_), data);
}

Result<Digest> Hmac::finish() {
  if (ctx_ == nullptr) return make_error(Err::INVALID_STATE, "HMAC has no context");
  auto* ctx = static_cast<EVP_MAC_CTX*>(ctx_);
  Digest d;
  SNR_TRY(mac_final(ctx, d));
  // A null key re-inits with the key already set up.
  if (EVP_MAC_init(ctx, nullptr, 0, nullptr) != 1) return crypto_error("HMAC re-init");
  return d;
}

// RFC 5869 2.2.
Result<Digest> hkdf_extract(HashAlg alg, ByteView salt, ByteView ikm) {
  if (!salt.empty()) return hmac(alg, salt, ikm);
  const std::array<uint8_t, kMaxHashSize> zeros{};
  return hmac(alg, ByteView(zeros.data(), hash_size(alg)), ikm);
}

// RFC 5869 2.3: T(i) = HMAC(PRK, T(i-1) | info | i), OKM = first L bytes of T(1) | T(2) ...
Status hkdf_expand(HashAlg alg, ByteView prk, ByteView info, MutByteView out) {
  SNR_TRY_ASSIGN(EVP_MAC_CTX * ctx, mac_for(alg));
  const size_t hlen = hash_size(alg);
  if (out.size() > 255 * hlen) return make_error(Err::INVALID_ARGUMENT, "HKDF output too long");
  if (out.empty()) return {};
  Digest t;
  size_t done = 0;
  for (uint8_t i = 1; done < out.size(); ++i) {
    // The first block sets the key; later blocks re-init with the same key, which is
    // much cheaper than a fresh key schedule.
    if (i == 1) {
      SNR_TRY(mac_init(ctx, prk));
    } else if (EVP_MAC_init(ctx, nullptr, 0, nullptr) != 1) {
      return crypto_error("HMAC re-init");
    }
    SNR_TRY(mac_update(ctx, t.view()));
    SNR_TRY(mac_update(ctx, info));
    SNR_TRY(mac_update(ctx, ByteView(&i, 1)));
    SNR_TRY(mac_final(ctx, t));
    const size_t n = std::min(t.len, out.size() - done);
    std::copy_n(t.bytes.begin(), n, out.begin() + static_cast<std::ptrdiff_t>(done));
    done += n;
  }
  return {};
}

}  // namespace snr::crypto
