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
std::string_view name(uint8_t code) {
  switch (code) {
#define A(n) \
  case n:    \
    return #n;
    A(close_notify)
    A(unexpected_message)
    A(bad_record_mac) A(record_overflow) A(handshake_failure) A(bad_certificate)
        A(unsupported_certificate) A(certificate_revoked) A(certificate_expired)
            A(certificate_unknown) A(illegal_parameter) A(unknown_ca) A(access_denied)
                A(decode_error) A(decrypt_error) A(protocol_version) A(insufficient_security)
                    A(internal_error) A(inappropriate_fallback) A(user_canceled) A(no_renegotiation)
                        A(missing_extension) A(unsupported_extension) A(unrecognized_name)
                            A(bad_certificate_status_response) A(unknown_psk_identity)
                                A(certificate_required) A(no_application_protocol)
#undef A
  }
  return "unknown";
}
}  // namespace alert

}  // namespace snr
