#include "crypto/ocsp.hpp"

#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>
#include <optional>
#include <string>

#include "util/error_code.hpp"

namespace snr::crypto {
namespace {

struct Free {
  void operator()(OCSP_RESPONSE* p) const { OCSP_RESPONSE_free(p); }
  void operator()(OCSP_BASICRESP* p) const { OCSP_BASICRESP_free(p); }
  void operator()(OCSP_CERTID* p) const { OCSP_CERTID_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(STACK_OF(X509) * p) const { sk_X509_pop_free(p, X509_free); }
};
using X509Ptr = std::unique_ptr<X509, Free>;

// Clock skew tolerated between the responder and us, as most clients allow.
constexpr int64_t kSkewSeconds = 300;
// How long a response without nextUpdate counts as current (RFC 6960 leaves it to the client).
constexpr int64_t kNoNextUpdateSeconds = 3600;

Error invalid(std::string why) { return make_error(Err::INVALID_OCSP_RESPONSE, std::move(why)); }

X509Ptr parse_cert(ByteView der) {
  const unsigned char* p = der.data();
  return X509Ptr(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
}

std::optional<int64_t> unix_seconds(const ASN1_GENERALIZEDTIME* t) {
  struct tm tm {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return std::nullopt;
  return static_cast<int64_t>(timegm(&tm));
}

// RFC 6960 4.2.2.2: the issuing CA signs its own responses, or delegates to a responder
// certificate it issued with the id-kp-OCSPSigning purpose.
bool authorized_signer(X509* signer, X509* issuer, int64_t now) {
  if (X509_cmp(signer, issuer) == 0) return true;
  if (X509_check_issued(issuer, signer) != X509_V_OK) return false;
  EVP_PKEY* issuer_key = X509_get0_pubkey(issuer);
  if (issuer_key == nullptr || X509_verify(signer, issuer_key) != 1) return false;
  if ((X509_get_extension_flags(signer) & EXFLAG_XKUSAGE) == 0 ||
      (X509_get_extended_key_usage(signer) & XKU_OCSP_SIGN) == 0)
    return false;
  time_t t = static_cast<time_t>(now);
  return X509_cmp_time(X509_get0_notBefore(signer), &t) < 0 &&
         X509_cmp_time(X509_get0_notAfter(signer), &t) > 0;
}

}  // namespace

Status check_ocsp_response(ByteView der, const OcspCheck& check) {
  SNR_ENSURE(!check.path.empty(), Err::INTERNAL);
  const int64_t now =
      check.time_seconds != 0 ? static_cast<int64_t>(check.time_seconds) : std::time(nullptr);

  const unsigned char* p = der.data();
  std::unique_ptr<OCSP_RESPONSE, Free> resp(
      d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size())));
  if (!resp || p != der.data() + der.size()) return invalid("not a DER OCSPResponse");
  const int resp_status = OCSP_response_status(resp.get());
  if (resp_status != OCSP_RESPONSE_STATUS_SUCCESSFUL)
    return invalid("responder status " + std::to_string(resp_status));
  std::unique_ptr<OCSP_BASICRESP, Free> basic(OCSP_response_get1_basic(resp.get()));
  if (!basic) return invalid("no basic response");

  std::unique_ptr<STACK_OF(X509), Free> path(sk_X509_new_null());
  SNR_ENSURE(path != nullptr, Err::ALLOC);
  for (ByteView c : check.path) {
    X509Ptr cert = parse_cert(c);
    SNR_ENSURE(cert != nullptr, Err::INTERNAL);
    SNR_ENSURE(sk_X509_push(path.get(), cert.get()) > 0, Err::ALLOC);
    cert.release();
  }
  X509* leaf = sk_X509_value(path.get(), 0);
  // A self-signed leaf (a trust anchor itself) is its own issuer.
  X509* issuer = sk_X509_value(path.get(), sk_X509_num(path.get()) > 1 ? 1 : 0);

  // Only the signature is checked here: the signer's own chain is checked below against the
  // validated path, with the configured clock, which OCSP_basic_verify cannot be given
  // without changing the shared trust store.
  if (OCSP_basic_verify(basic.get(), path.get(), nullptr, OCSP_NOVERIFY) <= 0) {
    ERR_clear_error();
    return invalid("signature does not verify or signer not found");
  }
  X509* signer = nullptr;
  if (OCSP_resp_get0_signer(basic.get(), &signer, path.get()) != 1 || signer == nullptr)
    return invalid("signer not found");
  if (!authorized_signer(signer, issuer, now)) return invalid("signer not authorized by issuer");

  // The entry for the leaf, whatever hash the responder used in its CertID.
  OCSP_SINGLERESP* single = nullptr;
  for (int i = 0; i < OCSP_resp_count(basic.get()) && single == nullptr; ++i) {
    OCSP_SINGLERESP* s = OCSP_resp_get0(basic.get(), i);
    ASN1_OBJECT* md_oid = nullptr;
    if (OCSP_id_get0_info(nullptr, &md_oid, nullptr, nullptr,
                          const_cast<OCSP_CERTID*>(OCSP_SINGLERESP_get0_id(s))) != 1)
      continue;
    const EVP_MD* md = EVP_get_digestbyobj(md_oid);
    if (md == nullptr) continue;
    std::unique_ptr<OCSP_CERTID, Free> id(OCSP_cert_to_id(md, leaf, issuer));
    if (id && OCSP_id_cmp(id.get(), OCSP_SINGLERESP_get0_id(s)) == 0) single = s;
  }
  ERR_clear_error();
  if (single == nullptr) return invalid("no status for the certificate");

  int reason = 0;
  ASN1_GENERALIZEDTIME *revoked_at = nullptr, *this_update = nullptr, *next_update = nullptr;
  const int status =
      OCSP_single_get0_status(single, &reason, &revoked_at, &this_update, &next_update);
  std::optional<int64_t> from = unix_seconds(this_update);
  if (!from) return invalid("bad thisUpdate");
  std::optional<int64_t> until = next_update ? unix_seconds(next_update)
                                             : std::optional<int64_t>(*from + kNoNextUpdateSeconds);
  if (!until) return invalid("bad nextUpdate");
  if (now + kSkewSeconds < *from) return invalid("response not yet valid");
  if (now - kSkewSeconds > *until) return invalid("response expired");

  if (status == V_OCSP_CERTSTATUS_REVOKED)
    return make_error(Err::CERT_REVOKED, "OCSP reason " + std::to_string(reason));
  if (status != V_OCSP_CERTSTATUS_GOOD) return invalid("certificate status unknown");
  return {};
}

}  // namespace snr::crypto
