#include "crypto/x509.hpp"

#include <arpa/inet.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <climits>
#include <ctime>
#include <filesystem>

#include "crypto/chain_cache.hpp"
#include "util/error_code.hpp"

namespace snr::crypto {

namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct StackFree {
  void operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
};
struct StoreCtxFree {
  void operator()(X509_STORE_CTX* c) const { X509_STORE_CTX_free(c); }
};
struct NamesFree {
  void operator()(GENERAL_NAMES* n) const { GENERAL_NAMES_free(n); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using StackPtr = std::unique_ptr<STACK_OF(X509), StackFree>;

Error fail(Err e, std::string detail) {
  ERR_clear_error();
  return make_error(e, std::move(detail));
}

// Parses one DER certificate; the whole input must be the certificate.
X509Ptr parse_der(ByteView der) {
  if (der.empty() || der.size() > static_cast<size_t>(LONG_MAX)) return nullptr;
  const unsigned char* p = der.data();
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert || p != der.data() + der.size()) {
    ERR_clear_error();
    return nullptr;
  }
  return cert;
}

Result<Bytes> to_der(X509* cert) {
  const int len = i2d_X509(cert, nullptr);
  if (len <= 0) return fail(Err::CRYPTO, "i2d_X509");
  Bytes der(static_cast<size_t>(len));
  unsigned char* p = der.data();
  if (i2d_X509(cert, &p) != len) return fail(Err::CRYPTO, "i2d_X509");
  return der;
}

// All certificates of a PEM text as parsed objects.
Result<std::vector<X509Ptr>> read_pem_certs(std::string_view pem) {
  if (pem.empty() || pem.size() > static_cast<size_t>(INT_MAX)) {
    return make_error(Err::DECODE_CERTIFICATE, "empty PEM");
  }
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return fail(Err::ALLOC, "BIO_new_mem_buf");
  ERR_clear_error();
  std::vector<X509Ptr> certs;
  for (;;) {
    X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
    if (x == nullptr) break;
    certs.emplace_back(x);
  }
  // Running out of input shows up as "no start line"; anything else is a malformed block.
  const unsigned long err = ERR_peek_last_error();
  const bool clean_end =
      err == 0 || (ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE);
  ERR_clear_error();
  if (!clean_end) return make_error(Err::DECODE_CERTIFICATE, "malformed PEM certificate");
  if (certs.empty()) return make_error(Err::DECODE_CERTIFICATE, "no certificate in PEM");
  return certs;
}

// ASN.1 string as UTF-8; empty when it cannot be converted or holds an embedded NUL (a
// classic trick to make "good.com\0.evil.com" look like "good.com").
std::string asn1_text(const ASN1_STRING* s) {
  unsigned char* utf8 = nullptr;
  const int len = ASN1_STRING_to_UTF8(&utf8, s);
  if (len < 0 || utf8 == nullptr) {
    ERR_clear_error();
    return {};
  }
  std::string out(reinterpret_cast<const char*>(utf8), static_cast<size_t>(len));
  OPENSSL_free(utf8);
  if (out.find('\0') != std::string::npos) return {};
  return out;
}

// iPAddress SAN as text: dotted IPv4, or RFC 5952 IPv6 (inet_ntop).
std::string ip_text(const ASN1_OCTET_STRING* ip) {
  const int len = ASN1_STRING_length(ip);
  const unsigned char* data = ASN1_STRING_get0_data(ip);
  char buf[INET6_ADDRSTRLEN] = {};
  if (len == 4 && inet_ntop(AF_INET, data, buf, sizeof(buf)) != nullptr) return buf;
  if (len == 16 && inet_ntop(AF_INET6, data, buf, sizeof(buf)) != nullptr) return buf;
  return {};
}

Err map_verify_error(int code) {
  switch (code) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CRL_HAS_EXPIRED:
      return Err::CERT_EXPIRED;
    case X509_V_ERR_CERT_NOT_YET_VALID:
    case X509_V_ERR_CRL_NOT_YET_VALID:
      return Err::CERT_NOT_YET_VALID;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_UNTRUSTED:
    case X509_V_ERR_CERT_REJECTED:
      return Err::CERT_UNTRUSTED;
    case X509_V_ERR_CERT_CHAIN_TOO_LONG:
      return Err::CERT_MAX_CHAIN_DEPTH_EXCEEDED;
    case X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION:
    case X509_V_ERR_UNHANDLED_CRITICAL_CRL_EXTENSION:
      return Err::CERT_UNHANDLED_CRITICAL_EXTENSION;
    case X509_V_ERR_CERT_REVOKED:
      return Err::CERT_REVOKED;
    default:
      return Err::CERT_INVALID;
  }
}

}  // namespace

Result<std::vector<Bytes>> pem_to_der_chain(std::string_view pem) {
  SNR_TRY_ASSIGN(std::vector<X509Ptr> certs, read_pem_certs(pem));
  std::vector<Bytes> out;
  out.reserve(certs.size());
  for (const X509Ptr& c : certs) {
    SNR_TRY_ASSIGN(Bytes der, to_der(c.get()));
    out.push_back(std::move(der));
  }
  return out;
}

std::string certificate_subject(ByteView der) {
  X509Ptr cert = parse_der(der);
  if (!cert) return {};
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) return {};
  // RFC 2253 order and escaping, but UTF-8 kept readable instead of \XX-escaped.
  const unsigned long flags = (XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) | ASN1_STRFLGS_UTF8_CONVERT;
  if (X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert.get()), 0, flags) < 0) {
    ERR_clear_error();
    return {};
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  if (len <= 0 || data == nullptr) return {};
  return std::string(data, static_cast<size_t>(len));
}

// ---- TrustStore ----

Result<std::shared_ptr<TrustStore>> TrustStore::create() {
  X509_STORE* store = X509_STORE_new();
  if (store == nullptr) return fail(Err::ALLOC, "X509_STORE_new");
  return std::shared_ptr<TrustStore>(new TrustStore(store));
}

TrustStore::TrustStore(void* store) : store_(store), cache_(std::make_unique<ChainCache>()) {}

TrustStore::~TrustStore() { X509_STORE_free(static_cast<X509_STORE*>(store_)); }

Status TrustStore::add_pem(std::string_view pem) {
  cache_->clear();
  SNR_TRY_ASSIGN(std::vector<X509Ptr> certs, read_pem_certs(pem));
  for (const X509Ptr& c : certs) {
    // The store takes its own reference.
    if (X509_STORE_add_cert(static_cast<X509_STORE*>(store_), c.get()) != 1) {
      return fail(Err::TRUST_STORE, "X509_STORE_add_cert");
    }
    ++count_;
  }
  return {};
}

Status TrustStore::add_location(std::string_view file, std::string_view dir) {
  cache_->clear();
  auto* store = static_cast<X509_STORE*>(store_);
  if (!file.empty()) {
    const std::string path(file);
    if (X509_STORE_load_file(store, path.c_str()) != 1) {
      return fail(Err::TRUST_STORE, "cannot load CA file " + path);
    }
    ++count_;
  }
  if (!dir.empty()) {
    const std::string path(dir);
    // OpenSSL reads hashed directories lazily and never complains about a missing one;
    // check now so a typo fails at configuration time.
    std::error_code ec;
    if (!std::filesystem::is_directory(path, ec)) {
      return make_error(Err::TRUST_STORE, "not a directory: " + path);
    }
    if (X509_STORE_load_path(store, path.c_str()) != 1) {
      return fail(Err::TRUST_STORE, "cannot use CA directory " + path);
    }
    has_dirs_ = true;
  }
  return {};
}

Status TrustStore::add_system() {
  cache_->clear();
  if (X509_STORE_set_default_paths(static_cast<X509_STORE*>(store_)) != 1) {
    return fail(Err::TRUST_STORE, "cannot use the system trust store");
  }
  ERR_clear_error();  // missing default locations leave harmless errors behind
  has_dirs_ = true;
  return {};
}

std::vector<Bytes> TrustStore::subject_names(size_t max_total) const {
  std::vector<Bytes> out;
  auto* store = static_cast<X509_STORE*>(store_);
  // The object list is read under the store's lock: connections may be validating with it.
  if (X509_STORE_lock(store) != 1) return out;
  STACK_OF(X509_OBJECT)* objects = X509_STORE_get0_objects(store);
  size_t total = 0;
  const int n = sk_X509_OBJECT_num(objects);
  for (int i = 0; i < n; ++i) {
    X509* cert = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objects, i));
    if (cert == nullptr) continue;  // a CRL
    unsigned char* der = nullptr;
    const int len = i2d_X509_NAME(X509_get_subject_name(cert), &der);
    if (len <= 0 || der == nullptr) continue;
    Bytes name(der, der + len);
    OPENSSL_free(der);
    if (std::find(out.begin(), out.end(), name) != out.end()) continue;
    if (total + 2 + name.size() > max_total) break;
    total += 2 + name.size();
    out.push_back(std::move(name));
  }
  X509_STORE_unlock(store);
  ERR_clear_error();
  return out;
}

// ---- chain validation ----

namespace {
Result<CertNames> names_of(X509* cert);

// Unix seconds of an ASN1_TIME, or nullopt when it cannot be read.
std::optional<int64_t> unix_seconds(const ASN1_TIME* t) {
  struct tm tm {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return std::nullopt;
  return static_cast<int64_t>(timegm(&tm));
}

// The times at which every certificate of `path` is valid, [first, last]; nullopt when a date
// cannot be read (the result is then not cached).
struct Window {
  int64_t first = INT64_MIN;
  int64_t last = INT64_MAX;
};
std::optional<Window> validity_window(STACK_OF(X509) * path) {
  Window w;
  for (int i = 0; i < sk_X509_num(path); ++i) {
    X509* c = sk_X509_value(path, i);
    const std::optional<int64_t> nb = unix_seconds(X509_get0_notBefore(c));
    const std::optional<int64_t> na = unix_seconds(X509_get0_notAfter(c));
    if (!nb || !na) return std::nullopt;
    w.first = std::max(w.first, *nb);
    w.last = std::min(w.last, *na);
  }
  return w;
}

// Validates `chain` whose leaf is already decoded; `window`, if given, receives the validated
// path's validity window.
Result<std::vector<Bytes>> verify_parsed(X509* leaf, const std::vector<ByteView>& chain,
                                         const ChainCheck& check,
                                         std::optional<Window>* window = nullptr) {
  StackPtr untrusted(sk_X509_new_null());
  if (!untrusted) return fail(Err::ALLOC, "sk_X509_new_null");
  for (size_t i = 1; i < chain.size(); ++i) {
    X509Ptr c = parse_der(chain[i]);
    if (!c) {
      return make_error(Err::CERT_INVALID, "malformed certificate at depth " + std::to_string(i));
    }
    if (sk_X509_push(untrusted.get(), c.get()) <= 0) return fail(Err::ALLOC, "sk_X509_push");
    c.release();  // owned by the stack now
  }

  std::unique_ptr<X509_STORE_CTX, StoreCtxFree> ctx(X509_STORE_CTX_new());
  if (!ctx) return fail(Err::ALLOC, "X509_STORE_CTX_new");
  if (X509_STORE_CTX_init(ctx.get(), static_cast<X509_STORE*>(check.store->native()), leaf,
                          untrusted.get()) != 1) {
    return fail(Err::CRYPTO, "X509_STORE_CTX_init");
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_depth(param, check.max_depth < 0 ? 0 : check.max_depth);
  // A trusted intermediate (or a directly trusted leaf) is an anchor even when it is not
  // self-signed: what the application put in its store is what it trusts.
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
  if (check.time_seconds != 0) {
    X509_STORE_CTX_set_time(ctx.get(), 0, static_cast<time_t>(check.time_seconds));
  }
  // No purpose is set: whether a certificate may serve as a TLS server or client is the
  // handshake's decision, not chain validation's.
  if (X509_verify_cert(ctx.get()) != 1) {
    const int code = X509_STORE_CTX_get_error(ctx.get());
    const int depth = X509_STORE_CTX_get_error_depth(ctx.get());
    std::string detail = X509_verify_cert_error_string(code);
    detail += " at depth " + std::to_string(depth);
    return fail(map_verify_error(code), std::move(detail));
  }
  StackPtr path(X509_STORE_CTX_get1_chain(ctx.get()));
  if (!path) return fail(Err::CRYPTO, "X509_STORE_CTX_get1_chain");
  if (window != nullptr) *window = validity_window(path.get());
  std::vector<Bytes> out;
  const int n = sk_X509_num(path.get());
  out.reserve(static_cast<size_t>(n > 0 ? n : 0));
  for (int i = 0; i < n; ++i) {
    SNR_TRY_ASSIGN(Bytes der, to_der(sk_X509_value(path.get(), i)));
    out.push_back(std::move(der));
  }
  ERR_clear_error();
  return out;
}
}  // namespace

Result<std::vector<Bytes>> verify_chain(const std::vector<ByteView>& chain,
                                        const ChainCheck& check) {
  if (chain.empty()) return make_error(Err::EMPTY_CERTIFICATE);
  if (check.store == nullptr) return make_error(Err::INVALID_ARGUMENT, "no trust store");
  X509Ptr leaf = parse_der(chain[0]);
  if (!leaf) return make_error(Err::CERT_INVALID, "malformed certificate at depth 0");
  return verify_parsed(leaf.get(), chain, check);
}

Result<ValidatedChain> verify_chain_and_leaf(const std::vector<ByteView>& chain,
                                             const ChainCheck& check) {
  if (chain.empty()) return make_error(Err::EMPTY_CERTIFICATE);
  if (check.store == nullptr) return make_error(Err::INVALID_ARGUMENT, "no trust store");
  const int64_t now = check.time_seconds != 0 ? static_cast<int64_t>(check.time_seconds)
                                              : static_cast<int64_t>(std::time(nullptr));
  ChainCache& cache = check.store->chain_cache();
  // A failure to hash only means no caching.
  const Result<ChainCache::Key> key = ChainCache::key_of(chain, check.max_depth);
  if (key.ok()) {
    if (std::shared_ptr<const ValidatedChain> hit = cache.find(*key, now)) return *hit;
  }
  X509Ptr leaf = parse_der(chain[0]);
  if (!leaf) return make_error(Err::CERT_INVALID, "malformed certificate at depth 0");
  ValidatedChain out;
  std::optional<Window> window;
  SNR_TRY_ASSIGN(out.path, verify_parsed(leaf.get(), chain, check, &window));
  SNR_TRY_ASSIGN(out.leaf_names, names_of(leaf.get()));
  EVP_PKEY* pkey = X509_get_pubkey(leaf.get());  // a new reference
  if (pkey == nullptr) return fail(Err::DECODE_CERTIFICATE, "unreadable subject public key");
  out.leaf_key.emplace(PublicKey::adopt_native(pkey));
  if (key.ok() && window && window->first <= now && now <= window->last) {
    cache.insert(*key, window->first, window->last, std::make_shared<const ValidatedChain>(out));
  }
  return out;
}

// ---- names ----

namespace {
Result<CertNames> names_of(X509* cert) {
  CertNames names;
  int crit = -1;
  std::unique_ptr<GENERAL_NAMES, NamesFree> sans(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, &crit, nullptr)));
  // crit >= 0 with no result: the extension exists but does not decode. -2: it repeats.
  if (!sans && crit != -1) return fail(Err::CERT_INVALID, "bad subjectAltName extension");
  if (sans) {
    const int n = sk_GENERAL_NAME_num(sans.get());
    for (int i = 0; i < n; ++i) {
      const GENERAL_NAME* gn = sk_GENERAL_NAME_value(sans.get(), i);
      if (gn->type == GEN_DNS) {
        std::string s = asn1_text(gn->d.dNSName);
        if (!s.empty()) names.dns.push_back(std::move(s));
      } else if (gn->type == GEN_IPADD) {
        std::string s = ip_text(gn->d.iPAddress);
        if (!s.empty()) names.ips.push_back(std::move(s));
      }
    }
  }
  const X509_NAME* subject = X509_get_subject_name(cert);
  int last = -1;
  for (int i = -1; (i = X509_NAME_get_index_by_NID(subject, NID_commonName, i)) >= 0;) last = i;
  if (last >= 0) {
    const X509_NAME_ENTRY* e = X509_NAME_get_entry(subject, last);
    names.common_name = asn1_text(X509_NAME_ENTRY_get_data(e));
  }
  ERR_clear_error();
  return names;
}
}  // namespace

Result<CertNames> certificate_names(ByteView der) {
  X509Ptr cert = parse_der(der);
  if (!cert) return make_error(Err::CERT_INVALID, "malformed certificate");
  return names_of(cert.get());
}

}  // namespace snr::crypto
