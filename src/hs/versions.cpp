#include "hs/versions.hpp"

namespace snr::hs {

Version max_version(const detail::PolicyData& policy) {
  for (uint16_t id : policy.cipher_suites) {
    const policy::CipherSuite* s = policy::find_suite(id);
    if (s && s->implemented && s->is_tls13()) return Version::TLS13;
  }
  return Version::TLS12;
}

Version min_version(const detail::PolicyData& policy) {
  return policy.min_version < Version::TLS10 ? Version::TLS10 : policy.min_version;
}

uint16_t wire_version(Version v) {
  switch (v) {
    case Version::TLS10:
      return 0x0301;
    case Version::TLS11:
      return 0x0302;
    case Version::TLS12:
      return 0x0303;
    case Version::TLS13:
      return 0x0304;
    default:
      return 0;
  }
}

Version from_wire(uint16_t v) {
  switch (v) {
    case 0x0301:
      return Version::TLS10;
    case 0x0302:
      return Version::TLS11;
    case 0x0303:
      return Version::TLS12;
    case 0x0304:
      return Version::TLS13;
    default:
      return Version::Unknown;
  }
}

bool has_offered_suite(const detail::PolicyData& policy) {
  for (uint16_t id : policy.cipher_suites) {
    const policy::CipherSuite* s = policy::find_suite(id);
    if (s && s->implemented) return true;
  }
  return false;
}

bool suite_fits(const policy::CipherSuite& suite, Version v) {
  if (!suite.implemented) return false;
  if (suite.is_tls13()) return v == Version::TLS13;
  // SSLv3-era suites keep working up to TLS 1.2; newer ones need their minimum.
  return v <= Version::TLS12 && suite.min_version <= v;
}

}  // namespace snr::hs
