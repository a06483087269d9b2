#include "hs/shape.hpp"

#include <array>
#include <string_view>

namespace snr::hs {
namespace {

constexpr std::array<std::string_view, 8> kTls13Names = {
    "NEGOTIATED",          "FULL_HANDSHAKE",   "CLIENT_AUTH",     "NO_CLIENT_CERT",
    "HELLO_RETRY_REQUEST", "MIDDLEBOX_COMPAT", "WITH_EARLY_DATA", "EARLY_CLIENT_CCS"};
constexpr std::array<std::string_view, 8> kTls12Names = {"NEGOTIATED",
                                                         "FULL_HANDSHAKE",
                                                         "CLIENT_AUTH",
                                                         "NO_CLIENT_CERT",
                                                         "TLS12_PERFECT_FORWARD_SECRECY",
                                                         "OCSP_STATUS",
                                                         "WITH_SESSION_TICKET",
                                                         "WITH_NPN"};

}  // namespace

std::string handshake_type_name(uint32_t flags, Version version) {
  if (flags == 0) return "INITIAL";
  const auto& names = version == Version::TLS13 ? kTls13Names : kTls12Names;
  std::string out;
  for (size_t bit = 0; bit < names.size(); ++bit) {
    if ((flags & (1u << bit)) == 0) continue;
    if (!out.empty()) out += '|';
    out += names[bit];
  }
  return out;
}

}  // namespace snr::hs
