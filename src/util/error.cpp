#include <array>

#include "util/alerts.hpp"
#include "util/error_code.hpp"

namespace snr {
namespace {

struct Entry {
  std::string_view name;
  ErrorKind kind;
  int alert;
  std::string_view text;
};

namespace a = alert;
using enum ErrorKind;

constexpr std::array<Entry, static_cast<size_t>(Err::kCount)> kTable = {{
#define X(name, kind, alert, text) {"S2N_ERR_" #name, kind, a::alert, text},
#include "util/errors.def"
#undef X
}};

const Entry& entry(uint16_t code) {
  return code < kTable.size() ? kTable[code] : kTable[static_cast<size_t>(Err::INTERNAL)];
}

}  // namespace

std::string_view to_string(ErrorKind kind) {
  switch (kind) {
    case Blocked:
      return "Blocked";
    case Closed:
      return "Closed";
    case Protocol:
      return "Protocol";
    case Usage:
      return "Usage";
    case IOError:
      return "IOError";
    case Alert:
      return "Alert";
    case Internal:
      return "Internal";
    case Application:
      return "Application";
  }
  return "Unknown";
}

ErrorKind Error::kind() const { return entry(code_).kind; }
std::string_view Error::name() const { return entry(code_).name; }

std::string Error::message() const {
  std::string m(entry(code_).text);
  if (kind() == ErrorKind::Alert && alert_) {
    m += ": ";
    m += alert::name(*alert_);
  }
  if (!detail_.empty()) {
    m += ": ";
    m += detail_;
  }
  return m;
}

int alert_for(Err e) { return entry(static_cast<uint16_t>(e)).alert; }

namespace alert {
namespace {
struct Named {
  uint8_t code;
  std::string_view name;
};
#define SNR_ALERT(n) \
  Named { n, #n }
constexpr Named kAlertNames[] = {
    SNR_ALERT(close_notify),
    SNR_ALERT(unexpected_message),
    SNR_ALERT(bad_record_mac),
    SNR_ALERT(record_overflow),
    SNR_ALERT(handshake_failure),
    SNR_ALERT(bad_certificate),
    SNR_ALERT(unsupported_certificate),
    SNR_ALERT(certificate_revoked),
    SNR_ALERT(certificate_expired),
    SNR_ALERT(certificate_unknown),
    SNR_ALERT(illegal_parameter),
    SNR_ALERT(unknown_ca),
    SNR_ALERT(access_denied),
    SNR_ALERT(decode_error),
    SNR_ALERT(decrypt_error),
    SNR_ALERT(protocol_version),
    SNR_ALERT(insufficient_security),
    SNR_ALERT(internal_error),
    SNR_ALERT(inappropriate_fallback),
    SNR_ALERT(user_canceled),
    SNR_ALERT(no_renegotiation),
    SNR_ALERT(missing_extension),
    SNR_ALERT(unsupported_extension),
    SNR_ALERT(unrecognized_name),
    SNR_ALERT(bad_certificate_status_response),
    SNR_ALERT(unknown_psk_identity),
    SNR_ALERT(certificate_required),
    SNR_ALERT(no_application_protocol),
};
#undef SNR_ALERT
}  // namespace

std::string_view name(uint8_t code) {
  for (const Named& a : kAlertNames)
    if (a.code == code) return a.name;
  return "unknown";
}
}  // namespace alert

}  // namespace snr
