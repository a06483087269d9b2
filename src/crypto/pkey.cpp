#include "crypto/pkey.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <climits>
#include <cstring>

#include "util/error_code.hpp"

namespace snr::crypto {

namespace detail {
const EVP_MD* fetched_md(HashAlg alg);  // defined in hash.cpp
}  // namespace detail

namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

std::shared_ptr<void> wrap(EVP_PKEY* pkey) {
  return std::shared_ptr<void>(pkey, [](void* p) { EVP_PKEY_free(static_cast<EVP_PKEY*>(p)); });
}

EVP_PKEY* native(const std::shared_ptr<void>& p) { return static_cast<EVP_PKEY*>(p.get()); }

Error fail(Err e, std::string detail) {
  ERR_clear_error();
  return make_error(e, std::move(detail));
}

KeyType key_type_of(const EVP_PKEY* pkey) {
  if (pkey == nullptr) return KeyType::Unknown;
  if (EVP_PKEY_is_a(pkey, "RSA")) return KeyType::RSA;
  if (EVP_PKEY_is_a(pkey, "RSA-PSS")) return KeyType::RSA_PSS;
  if (EVP_PKEY_is_a(pkey, "ED25519")) return KeyType::ED25519;
  if (EVP_PKEY_is_a(pkey, "EC")) {
    char name[64] = {};
    size_t len = 0;
    if (EVP_PKEY_get_group_name(pkey, name, sizeof(name), &len) != 1) {
      ERR_clear_error();
      return KeyType::Unknown;
    }
    const std::string_view n(name, len);
    if (n == "prime256v1" || n == "P-256" || n == "secp256r1") return KeyType::EC_P256;
    if (n == "secp384r1" || n == "P-384") return KeyType::EC_P384;
    if (n == "secp521r1" || n == "P-521") return KeyType::EC_P521;
  }
  return KeyType::Unknown;
}

// Whether a key of type `t` can make signatures of kind `k`.
bool kind_fits(KeyType t, SigKind k) {
  switch (k) {
    case SigKind::RSA_PKCS1:
      return t == KeyType::RSA;
    // rsa_pss_rsae_* uses rsaEncryption keys, rsa_pss_pss_* RSASSA-PSS keys.
    case SigKind::RSA_PSS:
      return t == KeyType::RSA || t == KeyType::RSA_PSS;
    case SigKind::ECDSA:
      return t == KeyType::EC_P256 || t == KeyType::EC_P384 || t == KeyType::EC_P521;
    case SigKind::ED25519:
      return t == KeyType::ED25519;
  }
  return false;
}

// Digest for the signature: null for Ed25519, which hashes internally (PureEdDSA).
Result<const EVP_MD*> digest_for(SigParams params) {
  if (params.kind == SigKind::ED25519) return static_cast<const EVP_MD*>(nullptr);
  // TLS 1.0/1.1 RSA signatures (RFC 2246 7.4.3): PKCS#1 v1.5 over the bare 36-byte
  // MD5||SHA1, no DigestInfo; libcrypto's RSA signer does exactly that for MD5-SHA1. The
  // combination means nothing for other kinds (TLS 1.0 ECDSA signs SHA-1).
  if (params.hash == HashAlg::MD5_SHA1 && params.kind != SigKind::RSA_PKCS1) {
    return make_error(Err::INVALID_ARGUMENT, "MD5-SHA1 needs RSA PKCS#1 v1.5");
  }
  const EVP_MD* md = detail::fetched_md(params.hash);
  if (md == nullptr) return make_error(Err::CRYPTO, "digest unavailable");
  return md;
}

// RSA-PSS as TLS 1.3 requires (RFC 8446 4.2.3): salt length = hash length, MGF1 with the
// same hash.
bool set_pss(EVP_PKEY_CTX* pctx, const EVP_MD* md) {
  return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1 &&
         EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) == 1;
}

// A non-null pointer for empty inputs: some one-shot paths dereference before checking length.
const uint8_t* nonnull(ByteView b) {
  static const uint8_t kEmpty = 0;
  return b.empty() ? &kEmpty : b.data();
}

// Sets up `mdctx` for an Ed25519 signature (sign=true) or verification: PureEdDSA hashes
// the whole message inside, so it takes the one-shot DigestSign path.
Status init_eddsa(EVP_MD_CTX* mdctx, EVP_PKEY* pkey, bool sign) {
  EVP_PKEY_CTX* pctx = nullptr;
  const int r = sign ? EVP_DigestSignInit(mdctx, &pctx, nullptr, nullptr, pkey)
                     : EVP_DigestVerifyInit(mdctx, &pctx, nullptr, nullptr, pkey);
  if (r != 1 || pctx == nullptr) {
    return fail(sign ? Err::CRYPTO : Err::VERIFY_SIGNATURE, "signature init");
  }
  return {};
}

// ECDSA and RSA: set up `pctx` for EVP_PKEY_sign/verify over a digest the caller computed.
// They sign a digest anyway; hashing in hash.cpp (inline state, no allocation) and handing
// libcrypto the digest spares the digest context DigestSign builds inside the provider.
Status init_prehashed(EVP_PKEY_CTX* pctx, SigParams params, const EVP_MD* md, bool sign) {
  const Err err = sign ? Err::CRYPTO : Err::VERIFY_SIGNATURE;
  if ((sign ? EVP_PKEY_sign_init(pctx) : EVP_PKEY_verify_init(pctx)) != 1) {
    return fail(err, "signature init");
  }
  if (params.kind == SigKind::ECDSA) return {};  // ECDSA signs the digest as it is
  const bool padded = params.kind == SigKind::RSA_PSS
                          ? set_pss(pctx, md)
                          : EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
  if (!padded || EVP_PKEY_CTX_set_signature_md(pctx, md) != 1) {
    return fail(err, "RSA signature parameters");
  }
  return {};
}

// A one-operation EVP_PKEY_CTX over `pkey`.
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;

}  // namespace

std::string_view to_string(KeyType t) {
  switch (t) {
    case KeyType::Unknown:
      return "unknown";
    case KeyType::RSA:
      return "rsa";
    case KeyType::RSA_PSS:
      return "rsa_pss";
    case KeyType::EC_P256:
      return "ecdsa_p256";
    case KeyType::EC_P384:
      return "ecdsa_p384";
    case KeyType::EC_P521:
      return "ecdsa_p521";
    case KeyType::ED25519:
      return "ed25519";
  }
  return "unknown";
}

// ---- PrivateKey ----

Result<PrivateKey> PrivateKey::from_pem(std::string_view pem) {
  if (pem.empty() || pem.size() > static_cast<size_t>(INT_MAX)) {
    return make_error(Err::DECODE_PRIVATE_KEY, "empty PEM");
  }
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return fail(Err::ALLOC, "BIO_new_mem_buf");
  // Without a callback OpenSSL would prompt on the terminal for an encrypted key; refuse.
  pem_password_cb* no_password = [](char*, int, int, void*) -> int { return -1; };
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio.get(), nullptr, no_password, nullptr);
  if (pkey == nullptr) return fail(Err::DECODE_PRIVATE_KEY, "no usable private key in PEM");
  PrivateKey key(wrap(pkey));
  if (key.type() == KeyType::Unknown) {
    return make_error(Err::DECODE_PRIVATE_KEY, "unsupported private key type");
  }
  return key;
}

PrivateKey::PrivateKey(std::shared_ptr<void> pkey)
    : pkey_(std::move(pkey)), type_(key_type_of(native(pkey_))) {}

PrivateKey::~PrivateKey() = default;

KeyType PrivateKey::type() const { return pkey_ ? type_ : KeyType::Unknown; }

size_t PrivateKey::bits() const {
  const int b = pkey_ ? EVP_PKEY_get_bits(native(pkey_)) : 0;
  return b > 0 ? static_cast<size_t>(b) : 0;
}

Result<Bytes> PrivateKey::sign(SigParams params, ByteView message) const {
  if (!pkey_) return make_error(Err::INVALID_STATE, "no private key");
  if (!kind_fits(type(), params.kind)) {
    return make_error(Err::INVALID_ARGUMENT, "signature kind does not fit the key type");
  }
  if (params.kind != SigKind::ED25519) {
    SNR_TRY_ASSIGN(const EVP_MD* md, digest_for(params));
    SNR_TRY_ASSIGN(const Digest digest, hash_once(params.hash, message));
    PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_pkey(nullptr, native(pkey_), nullptr));
    if (!pctx) return fail(Err::ALLOC, "EVP_PKEY_CTX_new_from_pkey");
    SNR_TRY(init_prehashed(pctx.get(), params, md, true));
    size_t len = 0;
    if (EVP_PKEY_sign(pctx.get(), nullptr, &len, digest.bytes.data(), digest.len) != 1) {
      return fail(Err::CRYPTO, "signature size");
    }
    Bytes sig(len);
    if (EVP_PKEY_sign(pctx.get(), sig.data(), &len, digest.bytes.data(), digest.len) != 1) {
      return fail(Err::CRYPTO, "sign");
    }
    sig.resize(len);  // DER ECDSA signatures are often shorter than the maximum
    return sig;
  }
  // PureEdDSA hashes inside and signs the whole message.
  MdCtxPtr mdctx(EVP_MD_CTX_new());
  if (!mdctx) return make_error(Err::ALLOC, "EVP_MD_CTX_new");
  SNR_TRY(init_eddsa(mdctx.get(), native(pkey_), true));
  size_t len = 0;
  if (EVP_DigestSign(mdctx.get(), nullptr, &len, nonnull(message), message.size()) != 1) {
    return fail(Err::CRYPTO, "signature size");
  }
  Bytes sig(len);
  if (EVP_DigestSign(mdctx.get(), sig.data(), &len, nonnull(message), message.size()) != 1) {
    return fail(Err::CRYPTO, "sign");
  }
  sig.resize(len);  // DER ECDSA signatures are often shorter than the maximum
  return sig;
}

bool PrivateKey::matches(const PublicKey& pub) const {
  if (!pkey_ || !pub.pkey_) return false;
  const bool eq = EVP_PKEY_eq(native(pkey_), native(pub.pkey_)) == 1;
  ERR_clear_error();
  return eq;
}

// ---- PublicKey ----

Result<PublicKey> PublicKey::from_certificate(ByteView der) {
  if (der.empty() || der.size() > static_cast<size_t>(LONG_MAX)) {
    return make_error(Err::DECODE_CERTIFICATE, "empty certificate");
  }
  const unsigned char* p = der.data();
  std::unique_ptr<X509, X509Free> cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert || p != der.data() + der.size()) {
    return fail(Err::DECODE_CERTIFICATE, "malformed certificate");
  }
  EVP_PKEY* pkey = X509_get_pubkey(cert.get());  // a new reference
  if (pkey == nullptr) return fail(Err::DECODE_CERTIFICATE, "unreadable subject public key");
  return PublicKey(wrap(pkey));
}

PublicKey PublicKey::adopt_native(void* evp_pkey) {
  return PublicKey(wrap(static_cast<EVP_PKEY*>(evp_pkey)));
}

PublicKey::PublicKey(std::shared_ptr<void> pkey)
    : pkey_(std::move(pkey)), type_(key_type_of(native(pkey_))) {}

PublicKey::~PublicKey() = default;

KeyType PublicKey::type() const { return pkey_ ? type_ : KeyType::Unknown; }

size_t PublicKey::bits() const {
  const int b = pkey_ ? EVP_PKEY_get_bits(native(pkey_)) : 0;
  return b > 0 ? static_cast<size_t>(b) : 0;
}

Status PublicKey::verify(SigParams params, ByteView message, ByteView signature) const {
  if (!pkey_) return make_error(Err::INVALID_STATE, "no public key");
  if (!kind_fits(type(), params.kind)) {
    // The peer chose a scheme its certificate cannot make.
    return make_error(Err::BAD_SIGNATURE_SCHEME, "signature kind does not fit the key type");
  }
  if (params.kind != SigKind::ED25519) {
    SNR_TRY_ASSIGN(const EVP_MD* md, digest_for(params));
    SNR_TRY_ASSIGN(const Digest digest, hash_once(params.hash, message));
    PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_pkey(nullptr, native(pkey_), nullptr));
    if (!pctx) return fail(Err::ALLOC, "EVP_PKEY_CTX_new_from_pkey");
    SNR_TRY(init_prehashed(pctx.get(), params, md, false));
    if (EVP_PKEY_verify(pctx.get(), nonnull(signature), signature.size(), digest.bytes.data(),
                        digest.len) != 1) {
      return fail(Err::VERIFY_SIGNATURE, "signature does not verify");
    }
    return {};
  }
  MdCtxPtr mdctx(EVP_MD_CTX_new());
  if (!mdctx) return make_error(Err::ALLOC, "EVP_MD_CTX_new");
  SNR_TRY(init_eddsa(mdctx.get(), native(pkey_), false));
  if (EVP_DigestVerify(mdctx.get(), nonnull(signature), signature.size(), nonnull(message),
                       message.size()) != 1) {
    return fail(Err::VERIFY_SIGNATURE, "signature does not verify");
  }
  return {};
}

}  // namespace snr::crypto
