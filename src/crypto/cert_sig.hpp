// How a certificate is signed, as TLS names it (security policies restrict the signatures
// of local certificate chains by SignatureScheme, SPEC 4).
#pragma once

#include <cstdint>
#include <vector>

#include "snr/error.hpp"
#include "util/bytes.hpp"

namespace snr::crypto {

struct CertSignature {
  // The SignatureScheme code points that describe the signature: one, or two for
  // RSASSA-PSS (rsa_pss_rsae_* and rsa_pss_pss_* carry the same signature); empty when TLS
  // has no name for it (e.g. MD5 or an unknown algorithm).
  std::vector<uint16_t> schemes;
  // Issuer and subject are the same name and the signature verifies with the certificate's
  // own key (a root: nobody relies on its signature, RFC 8446 4.2.3).
  bool self_signed = false;
};

// DECODE_CERTIFICATE when `der` is not a certificate.
Result<CertSignature> certificate_signature(ByteView der);

}  // namespace snr::crypto
