// Display names of public enums and certificates.
#include "crypto/x509.hpp"
#include "snr/cert_chain.hpp"
#include "snr/enums.hpp"

namespace snr {

std::string_view to_string(Version v) {
  switch (v) {
    case Version::SSLV2:
      return "SSLv2";
    case Version::SSLV3:
      return "SSLv3";
    case Version::TLS10:
      return "TLSv1.0";
    case Version::TLS11:
      return "TLSv1.1";
    case Version::TLS12:
      return "TLSv1.2";
    case Version::TLS13:
      return "TLSv1.3";
    case Version::Unknown:
      break;
  }
  return "UNKNOWN";
}

std::string Certificate::subject() const { return crypto::certificate_subject(der_); }

}  // namespace snr
