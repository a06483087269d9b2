#include "crypto/cert_sig.hpp"

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "util/error_code.hpp"

namespace snr::crypto {

namespace {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};

// The scheme's low byte by digest (RFC 8446 4.2.3: 0x0201 sha1 ... 0x0601 sha512).
int hash_byte(int md_nid) {
  switch (md_nid) {
    case NID_sha1:
      return 0x02;
    case NID_sha224:
      return 0x03;
    case NID_sha256:
      return 0x04;
    case NID_sha384:
      return 0x05;
    case NID_sha512:
      return 0x06;
    default:
      return -1;
  }
}

}  // namespace

Result<CertSignature> certificate_signature(ByteView der) {
  const unsigned char* p = der.data();
  std::unique_ptr<X509, X509Free> x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!x || p != der.data() + der.size()) return make_error(Err::DECODE_CERTIFICATE);
  CertSignature out;
  // X509_self_signed(x, 1) also verifies the signature: a name match alone is not enough.
  out.self_signed = X509_self_signed(x.get(), 1) == 1;
  int md_nid = NID_undef, pk_nid = NID_undef;
  if (X509_get_signature_info(x.get(), &md_nid, &pk_nid, nullptr, nullptr) != 1) return out;
  const int h = hash_byte(md_nid);
  switch (pk_nid) {
    case EVP_PKEY_RSA:
      if (h > 0) out.schemes.push_back(static_cast<uint16_t>(h << 8 | 0x01));
      break;
    case EVP_PKEY_EC:
      if (h > 0) out.schemes.push_back(static_cast<uint16_t>(h << 8 | 0x03));
      break;
    case EVP_PKEY_RSA_PSS:
      // rsa_pss_rsae_sha256/384/512 = 0x0804-6, rsa_pss_pss_sha256/384/512 = 0x0809-b.
      if (h >= 0x04) {
        out.schemes.push_back(static_cast<uint16_t>(0x0804 + (h - 0x04)));
        out.schemes.push_back(static_cast<uint16_t>(0x0809 + (h - 0x04)));
      }
      break;
    case EVP_PKEY_ED25519:
      out.schemes.push_back(0x0807);
      break;
    default:
      break;
  }
  return out;
}

}  // namespace snr::crypto
