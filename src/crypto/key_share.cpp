#include "crypto/key_share.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/params.h>

#include <array>
#include <memory>

#include "util/error_code.hpp"

namespace snr::crypto {

namespace {

struct GroupInfo {
  uint16_t id;
  const char* keytype;  // key management name
  const char* curve;    // EC group name (nullptr for X25519)
  int nid;              // EC curve NID (0 for X25519)
  size_t secret_size;   // shared secret (X25519 u / ECDH x-coordinate) length
  size_t public_size;   // TLS encoding of the public share
};

constexpr std::array<GroupInfo, 4> kGroups = {{
    {group::x25519, "X25519", nullptr, 0, 32, 32},
    {group::secp256r1, "EC", "P-256", NID_X9_62_prime256v1, 32, 65},
    {group::secp384r1, "EC", "P-384", NID_secp384r1, 48, 97},
    {group::secp521r1, "EC", "P-521", NID_secp521r1, 66, 133},
}};

// Index into kGroups, or -1.
int group_index(uint16_t id) {
  for (size_t i = 0; i < kGroups.size(); ++i) {
    if (kGroups[i].id == id) return static_cast<int>(i);
  }
  return -1;
}

bool is_x25519(const GroupInfo& g) { return g.curve == nullptr; }

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;

Error fail(Err e, const char* what) {
  ERR_clear_error();
  return make_error(e, what);
}

// Creating a key-generation or import context fetches the key manager by name; every
// handshake needs both, so each thread keeps one of each per group.
struct ThreadCtxs {
  std::array<EVP_PKEY_CTX*, kGroups.size()> keygen{};
  std::array<EVP_PKEY_CTX*, kGroups.size()> import{};
  ~ThreadCtxs() {
    for (EVP_PKEY_CTX* c : keygen) EVP_PKEY_CTX_free(c);
    for (EVP_PKEY_CTX* c : import) EVP_PKEY_CTX_free(c);
  }
};

ThreadCtxs& thread_ctxs() {
  thread_local ThreadCtxs ctxs;
  return ctxs;
}

EVP_PKEY_CTX* keygen_ctx(size_t gi) {
  EVP_PKEY_CTX*& slot = thread_ctxs().keygen[gi];
  if (slot != nullptr) return slot;
  const GroupInfo& g = kGroups[gi];
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, g.keytype, nullptr));
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1) return nullptr;
  if (!is_x25519(g) && EVP_PKEY_CTX_set_group_name(ctx.get(), g.curve) != 1) return nullptr;
  slot = ctx.release();
  return slot;
}

EVP_PKEY_CTX* import_ctx(size_t gi) {
  EVP_PKEY_CTX*& slot = thread_ctxs().import[gi];
  if (slot != nullptr) return slot;
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, kGroups[gi].keytype, nullptr));
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) return nullptr;
  slot = ctx.release();
  return slot;
}

// The TLS encoding of a key's public half (raw u for X25519, uncompressed point for EC).
Result<Bytes> encoded_public(const GroupInfo& g, EVP_PKEY* pkey) {
  unsigned char* buf = nullptr;
  const size_t len = EVP_PKEY_get1_encoded_public_key(pkey, &buf);
  if (len == 0 || buf == nullptr) return fail(Err::CRYPTO, "encode public key");
  Bytes pub(buf, buf + len);
  OPENSSL_free(buf);
  if (pub.size() != g.public_size || (!is_x25519(g) && pub[0] != 0x04)) {
    return make_error(Err::CRYPTO, "unexpected public key encoding");
  }
  return pub;
}

// Imports a peer's share. For EC the import decodes the point, which rejects coordinates
// outside the field and points not on the curve.
Result<PkeyPtr> import_public(size_t gi, ByteView share) {
  const GroupInfo& g = kGroups[gi];
  if (share.size() != g.public_size) return make_error(Err::BAD_KEY_SHARE, "share length");
  // RFC 8446 4.2.8.2: only the uncompressed form (legacy_form = 4) is allowed.
  if (!is_x25519(g) && share[0] != 0x04) {
    return make_error(Err::BAD_KEY_SHARE, "share is not an uncompressed point");
  }
  EVP_PKEY_CTX* ctx = import_ctx(gi);
  if (ctx == nullptr) return fail(Err::CRYPTO, "key import context");
  OSSL_PARAM params[3];
  size_t n = 0;
  if (!is_x25519(g)) {
    params[n++] =
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(g.curve), 0);
  }
  params[n++] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
                                                  const_cast<uint8_t*>(share.data()), share.size());
  params[n] = OSSL_PARAM_construct_end();
  EVP_PKEY* pkey = nullptr;
  if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1 || pkey == nullptr) {
    return fail(Err::BAD_KEY_SHARE, "invalid public share");
  }
  return PkeyPtr(pkey);
}

// The EC public point for a private scalar; the scalar must be in [1, n-1].
Result<PkeyPtr> ec_from_private(const GroupInfo& g, ByteView scalar) {
  struct BnFree {
    void operator()(BIGNUM* b) const { BN_clear_free(b); }
  };
  struct GroupFree {
    void operator()(EC_GROUP* p) const { EC_GROUP_free(p); }
  };
  struct PointFree {
    void operator()(EC_POINT* p) const { EC_POINT_free(p); }
  };
  struct BldFree {
    void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
  };
  struct ParamFree {
    void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
  };
  std::unique_ptr<EC_GROUP, GroupFree> group(EC_GROUP_new_by_curve_name(g.nid));
  if (!group) return fail(Err::CRYPTO, "EC group");
  const BIGNUM* order = EC_GROUP_get0_order(group.get());
  if (scalar.empty() || scalar.size() > static_cast<size_t>(BN_num_bytes(order))) {
    return make_error(Err::INVALID_ARGUMENT, "private scalar length");
  }
  std::unique_ptr<BIGNUM, BnFree> d(
      BN_bin2bn(scalar.data(), static_cast<int>(scalar.size()), nullptr));
  if (!d) return fail(Err::ALLOC, "BN_bin2bn");
  if (BN_is_zero(d.get()) || BN_cmp(d.get(), order) >= 0) {
    return make_error(Err::INVALID_ARGUMENT, "private scalar out of range");
  }
  std::unique_ptr<EC_POINT, PointFree> point(EC_POINT_new(group.get()));
  if (!point || EC_POINT_mul(group.get(), point.get(), d.get(), nullptr, nullptr, nullptr) != 1) {
    return fail(Err::CRYPTO, "EC point multiply");
  }
  Bytes pub(g.public_size);
  if (EC_POINT_point2oct(group.get(), point.get(), POINT_CONVERSION_UNCOMPRESSED, pub.data(),
                         pub.size(), nullptr) != pub.size()) {
    return fail(Err::CRYPTO, "EC point encode");
  }
  std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, g.curve, 0) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, pub.data(),
                                       pub.size()) != 1) {
    return fail(Err::ALLOC, "param build");
  }
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) return fail(Err::ALLOC, "param build");
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* pkey = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_KEYPAIR, params.get()) != 1) {
    return fail(Err::CRYPTO, "EC key import");
  }
  return PkeyPtr(pkey);
}

}  // namespace

bool key_share_supported(uint16_t group) { return group_index(group) >= 0; }

Result<KeyShare> KeyShare::generate(uint16_t group) {
  const int gi = group_index(group);
  if (gi < 0) return make_error(Err::NO_SUPPORTED_GROUP, "unsupported group");
  EVP_PKEY_CTX* ctx = keygen_ctx(static_cast<size_t>(gi));
  if (ctx == nullptr) return fail(Err::CRYPTO, "key generation context");
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_generate(ctx, &raw) != 1 || raw == nullptr) return fail(Err::CRYPTO, "keygen");
  PkeyPtr pkey(raw);
  SNR_TRY_ASSIGN(Bytes pub, encoded_public(kGroups[static_cast<size_t>(gi)], pkey.get()));
  return KeyShare(group, pkey.release(), std::move(pub));
}

Result<KeyShare> KeyShare::from_private(uint16_t group, ByteView private_key) {
  const int gi = group_index(group);
  if (gi < 0) return make_error(Err::NO_SUPPORTED_GROUP, "unsupported group");
  const GroupInfo& g = kGroups[static_cast<size_t>(gi)];
  PkeyPtr pkey;
  if (is_x25519(g)) {
    if (private_key.size() != 32) return make_error(Err::INVALID_ARGUMENT, "X25519 key size");
    pkey.reset(EVP_PKEY_new_raw_private_key_ex(nullptr, "X25519", nullptr, private_key.data(),
                                               private_key.size()));
    if (!pkey) return fail(Err::CRYPTO, "X25519 key import");
  } else {
    SNR_TRY_ASSIGN(pkey, ec_from_private(g, private_key));
  }
  SNR_TRY_ASSIGN(Bytes pub, encoded_public(g, pkey.get()));
  return KeyShare(group, pkey.release(), std::move(pub));
}

KeyShare::KeyShare(KeyShare&& o) noexcept
    : group_(o.group_), pkey_(o.pkey_), public_(std::move(o.public_)) {
  o.pkey_ = nullptr;
}

KeyShare& KeyShare::operator=(KeyShare&& o) noexcept {
  if (this != &o) {
    EVP_PKEY_free(static_cast<EVP_PKEY*>(pkey_));
    group_ = o.group_;
    pkey_ = o.pkey_;
    public_ = std::move(o.public_);
    o.pkey_ = nullptr;
  }
  return *this;
}

KeyShare::~KeyShare() { EVP_PKEY_free(static_cast<EVP_PKEY*>(pkey_)); }

Result<SecureBytes> KeyShare::derive(ByteView peer_public) const {
  if (pkey_ == nullptr) return make_error(Err::INVALID_STATE, "key share has no key");
  const int gi = group_index(group_);
  if (gi < 0) return make_error(Err::INTERNAL, "unsupported group");
  const GroupInfo& g = kGroups[static_cast<size_t>(gi)];
  SNR_TRY_ASSIGN(PkeyPtr peer, import_public(static_cast<size_t>(gi), peer_public));

  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, static_cast<EVP_PKEY*>(pkey_), nullptr));
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1) return fail(Err::CRYPTO, "derive init");
  // The import already proved the point is on the curve; these curves have cofactor 1, so
  // OpenSSL's extra public-key check (a full scalar multiplication) would add nothing.
  if (EVP_PKEY_derive_set_peer_ex(ctx.get(), peer.get(), 0) != 1) {
    return fail(Err::BAD_KEY_SHARE, "peer share rejected");
  }
  size_t len = 0;
  if (EVP_PKEY_derive(ctx.get(), nullptr, &len) != 1 || len != g.secret_size) {
    return fail(Err::CRYPTO, "derive size");
  }
  SecureBytes secret(len);
  // X25519 fails here when the result is all zeros (a low-order peer point).
  if (EVP_PKEY_derive(ctx.get(), secret.data(), &len) != 1) {
    return fail(Err::BAD_KEY_SHARE, "key agreement failed");
  }
  if (len != g.secret_size) return make_error(Err::CRYPTO, "shared secret size");
  // RFC 8446 7.4.2: an all-zero X25519 result MUST be rejected; check even if libcrypto does.
  uint8_t acc = 0;
  for (uint8_t b : secret.view()) acc |= b;
  if (acc == 0) return make_error(Err::BAD_KEY_SHARE, "all-zero shared secret");
  return secret;
}

}  // namespace snr::crypto
