#include "hs/hostname.hpp"

#include <arpa/inet.h>

#include <array>
#include <cstring>
#include <optional>
#include <string>

namespace snr::hs {

namespace {

// An IP address in binary form: 4 bytes (IPv4) or 16 (IPv6).
struct IpAddr {
  std::array<uint8_t, 16> bytes{};
  size_t len = 0;
  bool operator==(const IpAddr& o) const {
    return len == o.len && std::memcmp(bytes.data(), o.bytes.data(), len) == 0;
  }
};

// Parses an IP literal ("192.0.2.1", "2001:db8::1", "[2001:db8::1]"). Comparing parsed
// addresses, not text, makes "::1" and "0:0:0:0:0:0:0:1" the same address.
std::optional<IpAddr> parse_ip(std::string_view s) {
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  if (s.empty() || s.size() > 64) return std::nullopt;
  const std::string z(s);  // inet_pton needs a terminated string
  IpAddr ip;
  if (inet_pton(AF_INET, z.c_str(), ip.bytes.data()) == 1) {
    ip.len = 4;
    return ip;
  }
  if (inet_pton(AF_INET6, z.c_str(), ip.bytes.data()) == 1) {
    ip.len = 16;
    return ip;
  }
  return std::nullopt;
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view strip_trailing_dot(std::string_view s) {
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  return s;
}

// A usable DNS name: non-empty labels only, no NUL, and no '*' (callers strip a valid
// leading wildcard label before asking).
bool plain_dns_name(std::string_view s) {
  if (s.empty()) return false;
  size_t label = 0;
  for (char c : s) {
    if (c == '\0' || c == '*') return false;
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
    } else {
      ++label;
    }
  }
  return label != 0;
}

size_t label_count(std::string_view s) {
  size_t n = 1;
  for (char c : s) n += c == '.' ? 1 : 0;
  return n;
}

}  // namespace

std::string_view sni_host_name(std::string_view name) { return strip_trailing_dot(name); }

// RFC 6125 6.4 (DNS-ID) and 6.4.3 (wildcards); IP addresses per RFC 6125 1.7.2 / RFC 5280.
bool hostname_matches(std::string_view cert_name, std::string_view host) {
  if (cert_name.empty() || host.empty()) return false;
  if (const auto host_ip = parse_ip(host)) {
    const auto cert_ip = parse_ip(cert_name);
    return cert_ip && *cert_ip == *host_ip;
  }
  if (parse_ip(cert_name)) return false;  // an address never names a DNS host
  cert_name = strip_trailing_dot(cert_name);
  host = strip_trailing_dot(host);
  if (!plain_dns_name(host)) return false;
  if (cert_name.size() > 2 && cert_name[0] == '*' && cert_name[1] == '.') {
    // The wildcard stands for exactly one whole label, and what follows must itself be a
    // name of at least two labels so that "*.com" cannot cover a whole top-level domain.
    const std::string_view rest = cert_name.substr(2);
    if (!plain_dns_name(rest) || label_count(rest) < 2) return false;
    const size_t dot = host.find('.');
    if (dot == std::string_view::npos || dot == 0) return false;
    return iequal(host.substr(dot + 1), rest);
  }
  // Any other '*' (partial wildcards such as "f*o.example") is rejected by plain_dns_name.
  return plain_dns_name(cert_name) && iequal(cert_name, host);
}

bool verify_host(const crypto::CertNames& names, std::string_view host,
                 const std::function<bool(std::string_view)>* callback) {
  const bool has_san = !names.dns.empty() || !names.ips.empty();
  if (callback != nullptr && *callback) {
    const auto& cb = *callback;
    if (!has_san) return cb(names.common_name);
    for (const std::string& d : names.dns) {
      if (cb(d)) return true;
    }
    for (const std::string& ip : names.ips) {
      if (cb(ip)) return true;
    }
    return false;
  }

  if (host.empty()) return false;
  if (!has_san) return hostname_matches(names.common_name, host);
  for (const std::string& d : names.dns) {
    if (hostname_matches(d, host)) return true;
  }
  // iPAddress entries only ever identify IP hosts (RFC 6125 1.7.2).
  if (parse_ip(host)) {
    for (const std::string& ip : names.ips) {
      if (hostname_matches(ip, host)) return true;
    }
  }
  return false;
}

}  // namespace snr::hs
