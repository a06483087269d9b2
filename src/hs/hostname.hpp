// Host-name verification of a peer certificate (RFC 6125).
#pragma once

#include <functional>
#include <string_view>

#include "crypto/x509.hpp"

namespace snr::hs {

// RFC 6125 host-name match of one certificate name against the expected host:
// case-insensitive, a leading "*." wildcard matches exactly one whole left-most label
// (not "*.com"-style: at least two labels after the wildcard; no partial wildcards like
// "f*o.example"), a trailing dot is ignored, IP addresses only match exactly (no wildcard).
bool hostname_matches(std::string_view cert_name, std::string_view host);

// A host name as the server_name extension carries it: RFC 6066 3 says "The hostname is
// represented ... without a trailing dot", so one trailing dot (the DNS root, which some
// applications and clients write) is dropped. Certificates are looked up and checked by
// this form too, so "example.com." and "example.com" are one host.
std::string_view sni_host_name(std::string_view name);

// The default host check: the SAN DNS names (and IP SANs when host is an IP literal); the
// subject CN only when the certificate has no SAN DNS/IP names at all.
// If `callback` is set, it decides instead: called once per SAN DNS and IP entry (or the CN
// when no SAN names; "" if nothing), accept on the first true.
bool verify_host(const crypto::CertNames& names, std::string_view host,
                 const std::function<bool(std::string_view)>* callback);

}  // namespace snr::hs
