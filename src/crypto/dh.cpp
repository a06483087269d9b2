#include "crypto/dh.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/dh.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/pem.h>

#include <climits>
#include <memory>

#include "util/error_code.hpp"

namespace snr::crypto {

namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct BnFree {
  void operator()(BIGNUM* b) const { BN_clear_free(b); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct BldFree {
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using BldPtr = std::unique_ptr<OSSL_PARAM_BLD, BldFree>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, ParamFree>;

Error fail(Err e, const char* what) {
  ERR_clear_error();
  return make_error(e, what);
}

Result<BnPtr> get_bn(const EVP_PKEY* pkey, const char* name) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1 || bn == nullptr) {
    return fail(Err::CRYPTO, "DH parameter missing");
  }
  return BnPtr(bn);
}

Result<BnPtr> to_bn(ByteView b) {
  if (b.size() > static_cast<size_t>(INT_MAX)) return make_error(Err::INVALID_ARGUMENT, "size");
  BnPtr bn(BN_bin2bn(b.data(), static_cast<int>(b.size()), nullptr));
  if (!bn) return fail(Err::ALLOC, "BN_bin2bn");
  return bn;
}

// Minimal big-endian bytes; `pad_to` > 0 left-pads with zeros to that length.
Result<Bytes> bn_bytes(const BIGNUM* bn, size_t pad_to = 0) {
  const size_t n = pad_to > 0 ? pad_to : static_cast<size_t>(BN_num_bytes(bn));
  Bytes out(n);
  if (BN_bn2binpad(bn, out.data(), static_cast<int>(n)) != static_cast<int>(n)) {
    return fail(Err::CRYPTO, "BN_bn2binpad");
  }
  return out;
}

// 1 < v < p-1: excludes 0, 1, p-1 (the elements of order at most 2) and everything from p up.
bool in_open_range(const BIGNUM* v, const BIGNUM* p) {
  BnPtr p_minus_1(BN_dup(p));
  if (!p_minus_1 || BN_sub_word(p_minus_1.get(), 1) != 1) return false;
  return !BN_is_zero(v) && !BN_is_one(v) && !BN_is_negative(v) && BN_cmp(v, p_minus_1.get()) < 0;
}

// A DH EVP_PKEY from explicit values: domain parameters only (pub == nullptr) or a public key.
Result<PkeyPtr> dh_from_data(const BIGNUM* p, const BIGNUM* g, const BIGNUM* pub) {
  BldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_FFC_P, p) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_FFC_G, g) != 1 ||
      (pub != nullptr && OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, pub) != 1)) {
    return fail(Err::ALLOC, "DH param build");
  }
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) return fail(Err::ALLOC, "DH param build");
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "DH", nullptr));
  EVP_PKEY* pkey = nullptr;
  const int selection = pub != nullptr ? EVP_PKEY_PUBLIC_KEY : EVP_PKEY_KEY_PARAMETERS;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, selection, params.get()) != 1 || pkey == nullptr) {
    return fail(Err::CRYPTO, "DH import");
  }
  return PkeyPtr(pkey);
}

// A fresh key pair in the group of `domain` and its public value padded to len(p).
Status keygen(EVP_PKEY* domain, PkeyPtr& out_key, Bytes& out_pub) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, domain, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_generate(ctx.get(), &raw) != 1 ||
      raw == nullptr) {
    return fail(Err::CRYPTO, "DH keygen");
  }
  out_key.reset(raw);
  SNR_TRY_ASSIGN(BnPtr p, get_bn(raw, OSSL_PKEY_PARAM_FFC_P));
  SNR_TRY_ASSIGN(BnPtr pub, get_bn(raw, OSSL_PKEY_PARAM_PUB_KEY));
  SNR_TRY_ASSIGN(out_pub, bn_bytes(pub.get(), static_cast<size_t>(BN_num_bytes(p.get()))));
  return {};
}

}  // namespace

// ---- DhParams ----

Result<std::shared_ptr<const DhParams>> DhParams::from_pem(std::string_view pem) {
  if (pem.size() > static_cast<size_t>(INT_MAX)) {
    return make_error(Err::INVALID_ARGUMENT, "DH parameters too long");
  }
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return fail(Err::ALLOC, "BIO");
  PkeyPtr pkey(PEM_read_bio_Parameters_ex(bio.get(), nullptr, nullptr, nullptr));
  if (!pkey || !(EVP_PKEY_is_a(pkey.get(), "DH") || EVP_PKEY_is_a(pkey.get(), "DHX"))) {
    return fail(Err::INVALID_ARGUMENT, "not PEM DH parameters");
  }
  SNR_TRY_ASSIGN(BnPtr p, get_bn(pkey.get(), OSSL_PKEY_PARAM_FFC_P));
  SNR_TRY_ASSIGN(BnPtr g, get_bn(pkey.get(), OSSL_PKEY_PARAM_FFC_G));
  const size_t bits = static_cast<size_t>(BN_num_bits(p.get()));
  if (bits < kMinDhBits) return make_error(Err::INVALID_ARGUMENT, "DH prime under 2048 bits");
  // The quick check (p odd, 1 < g < p-1, sizes) rather than the full one: proving p prime
  // takes long enough to stall a server start, and the operator chose these parameters.
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (!ctx || EVP_PKEY_param_check_quick(ctx.get()) != 1) {
    return fail(Err::INVALID_ARGUMENT, "DH parameters fail the check");
  }
  SNR_TRY_ASSIGN(Bytes p_bytes, bn_bytes(p.get()));
  SNR_TRY_ASSIGN(Bytes g_bytes, bn_bytes(g.get()));
  std::shared_ptr<const DhParams> out(
      new DhParams(pkey.get(), std::move(p_bytes), std::move(g_bytes), bits));
  pkey.release();
  return out;
}

DhParams::~DhParams() { EVP_PKEY_free(static_cast<EVP_PKEY*>(pkey_)); }

// ---- DhKey ----

Result<DhKey> DhKey::generate(const DhParams& params) {
  PkeyPtr key;
  Bytes pub;
  SNR_TRY(keygen(static_cast<EVP_PKEY*>(params.pkey_), key, pub));
  return DhKey(key.release(), std::move(pub));
}

Result<DhKey> DhKey::generate(ByteView p, ByteView g) {
  SNR_TRY_ASSIGN(BnPtr p_bn, to_bn(p));
  SNR_TRY_ASSIGN(BnPtr g_bn, to_bn(g));
  const size_t bits = static_cast<size_t>(BN_num_bits(p_bn.get()));
  if (bits < kMinDhBits) return make_error(Err::ILLEGAL_PARAMETER, "server DH prime too small");
  if (bits > kMaxDhBits) return make_error(Err::ILLEGAL_PARAMETER, "server DH prime too large");
  if (!BN_is_odd(p_bn.get())) return make_error(Err::ILLEGAL_PARAMETER, "server DH prime even");
  if (!in_open_range(g_bn.get(), p_bn.get())) {
    return make_error(Err::ILLEGAL_PARAMETER, "server DH generator out of range");
  }
  SNR_TRY_ASSIGN(PkeyPtr domain, dh_from_data(p_bn.get(), g_bn.get(), nullptr));
  PkeyPtr key;
  Bytes pub;
  SNR_TRY(keygen(domain.get(), key, pub));
  return DhKey(key.release(), std::move(pub));
}

DhKey::DhKey(DhKey&& o) noexcept : pkey_(o.pkey_), public_(std::move(o.public_)) {
  o.pkey_ = nullptr;
}

DhKey& DhKey::operator=(DhKey&& o) noexcept {
  if (this != &o) {
    EVP_PKEY_free(static_cast<EVP_PKEY*>(pkey_));
    pkey_ = o.pkey_;
    public_ = std::move(o.public_);
    o.pkey_ = nullptr;
  }
  return *this;
}

DhKey::~DhKey() { EVP_PKEY_free(static_cast<EVP_PKEY*>(pkey_)); }

Result<SecureBytes> DhKey::derive(ByteView peer_public) const {
  if (pkey_ == nullptr) return make_error(Err::INVALID_STATE, "DH key has no key");
  EVP_PKEY* own = static_cast<EVP_PKEY*>(pkey_);
  // public_ is exactly len(p) long; a longer value, even one with leading zeros, is malformed.
  if (peer_public.empty() || peer_public.size() > public_.size()) {
    return make_error(Err::BAD_KEY_SHARE, "DH public value length");
  }
  SNR_TRY_ASSIGN(BnPtr p, get_bn(own, OSSL_PKEY_PARAM_FFC_P));
  SNR_TRY_ASSIGN(BnPtr g, get_bn(own, OSSL_PKEY_PARAM_FFC_G));
  SNR_TRY_ASSIGN(BnPtr y, to_bn(peer_public));
  if (!in_open_range(y.get(), p.get())) {
    return make_error(Err::BAD_KEY_SHARE, "DH public value out of range");
  }
  SNR_TRY_ASSIGN(PkeyPtr peer, dh_from_data(p.get(), g.get(), y.get()));

  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, own, nullptr));
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1) return fail(Err::CRYPTO, "derive init");
  // Padded output, so the length below is fixed; the range check above is all the
  // validation an ephemeral key needs (no secret is reused for a small-subgroup attack to
  // learn about).
  if (EVP_PKEY_CTX_set_dh_pad(ctx.get(), 1) != 1 ||
      EVP_PKEY_derive_set_peer_ex(ctx.get(), peer.get(), 0) != 1) {
    return fail(Err::CRYPTO, "derive setup");
  }
  size_t len = public_.size();
  SecureBytes secret(len);
  if (EVP_PKEY_derive(ctx.get(), secret.data(), &len) != 1 || len != public_.size()) {
    return fail(Err::CRYPTO, "DH derive");
  }
  // RFC 5246 8.1.2: "Leading bytes of Z that contain all zero bits are stripped".
  size_t zeros = 0;
  while (zeros < len && secret[zeros] == 0) ++zeros;
  if (zeros == len || (zeros == len - 1 && secret[zeros] == 1)) {
    // Z = 1: the peer's value lies in a small subgroup (possible only when p is not a safe
    // prime, e.g. one a malicious server chose).
    return make_error(Err::BAD_KEY_SHARE, "degenerate DH shared secret");
  }
  SecureBytes premaster(ByteView(secret).subspan(zeros));
  return premaster;
}

}  // namespace snr::crypto
