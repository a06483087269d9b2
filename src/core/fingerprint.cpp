// JA3 and JA4 ClientHello fingerprints.
//
// JA3 (Salesforce): "SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats",
// each list decimal and '-'-joined in wire order, GREASE values (RFC 8701) left out; the hash
// is its MD5 in hex. Wire order makes it sensitive to the extension shuffling browsers do.
//
// JA4 (FoxIO, reference/rfc/JA4.txt): "<a>_<b>_<c>" with
//   a = protocol, version, SNI d/i, cipher count, extension count, ALPN first+last character
//   b = sha256 of the sorted cipher list, first 12 hex digits
//   c = sha256 of the sorted extension list (SNI and ALPN left out), then "_" and the
//       signature algorithms in wire order, first 12 hex digits
// GREASE is ignored everywhere. Sorting makes it stable under extension shuffling.
#include <algorithm>
#include <cstdio>

#include "crypto/hash.hpp"
#include "msg/types.hpp"
#include "snr/client_hello.hpp"
#include "util/error_code.hpp"
#include "util/hex.hpp"
#include "wire/reader.hpp"

namespace snr::fingerprint {

namespace {

constexpr size_t kJa3HashSize = 32;  // MD5, hex
constexpr size_t kJa4HashPart = 12;  // hex digits kept of each SHA-256
constexpr size_t kJa4HashSize = 10 + 1 + kJa4HashPart + 1 + kJa4HashPart;
constexpr size_t kJa4MaxCount = 99;

// RFC 8701 2: 0x0A0A, 0x1A1A, ... 0xFAFA.
bool is_grease(uint16_t v) { return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff); }

std::vector<uint16_t> without_grease(std::span<const uint16_t> in) {
  std::vector<uint16_t> out;
  out.reserve(in.size());
  for (uint16_t v : in) {
    if (!is_grease(v)) out.push_back(v);
  }
  return out;
}

Error decode_error(const char* what) {
  return make_error(Err::DECODE, std::string("ClientHello fingerprint: ") + what);
}

// An extension body that is a u<N>-length-prefixed list of u16 values, nothing after it.
template <int N>
Result<std::vector<uint16_t>> u16_list(ByteView data, const char* what) {
  wire::Reader r(data);
  wire::Reader list;
  if (!r.prefixed<N>(list) || !r.empty() || list.remaining() % 2 != 0) return decode_error(what);
  std::vector<uint16_t> out;
  uint16_t v = 0;
  while (list.u16(v)) out.push_back(v);
  return out;
}

std::string hex4(uint16_t v) {
  char buf[5];
  std::snprintf(buf, sizeof(buf), "%04x", static_cast<unsigned>(v));
  return std::string(buf, 4);
}

template <class T, class Fn>
std::string join(const std::vector<T>& values, char sep, Fn format) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i != 0) out += sep;
    out += format(values[i]);
  }
  return out;
}

std::string decimal(unsigned v) { return std::to_string(v); }

Result<std::string> hex_digest(crypto::HashAlg alg, std::string_view text) {
  SNR_TRY_ASSIGN(crypto::Digest d, crypto::hash_once(alg, as_bytes(text)));
  return to_hex(d.view());
}

std::vector<uint16_t> extension_types(const ClientHello& ch) {
  std::vector<uint16_t> out;
  for (const ClientHello::Extension& e : ch.extensions()) out.push_back(e.type);
  return out;
}

// --- JA3 ---

Result<Fingerprint> ja3(const ClientHello& ch) {
  std::vector<uint8_t> point_formats;
  if (auto ext = ch.extension(msg::ext::ec_point_formats)) {
    wire::Reader r(*ext);
    ByteView list;
    if (!r.prefixed_bytes<1>(list) || !r.empty()) return decode_error("bad ec_point_formats");
    point_formats.assign(list.begin(), list.end());
  }
  auto dec16 = [](uint16_t v) { return decimal(v); };
  std::string raw = decimal(ch.legacy_version());
  raw += ',';
  raw += join(without_grease(ch.cipher_suites()), '-', dec16);
  raw += ',';
  raw += join(without_grease(extension_types(ch)), '-', dec16);
  raw += ',';
  raw += join(without_grease(ch.supported_groups()), '-', dec16);
  raw += ',';
  raw += join(point_formats, '-', [](uint8_t v) { return decimal(v); });
  SNR_TRY_ASSIGN(std::string hash, hex_digest(crypto::HashAlg::MD5, raw));
  return Fingerprint(FingerprintType::JA3, std::move(hash), std::move(raw));
}

// --- JA4 ---

const char* ja4_version_name(uint16_t v) {
  switch (v) {
    case 0x0304:
      return "13";
    case 0x0303:
      return "12";
    case 0x0302:
      return "11";
    case 0x0301:
      return "10";
    case 0x0300:
      return "s3";
    case 0x0002:
      return "s2";
    case 0xfeff:
      return "d1";
    case 0xfefd:
      return "d2";
    case 0xfefc:
      return "d3";
    default:
      return "00";
  }
}

// The highest supported_versions entry when the extension is there (GREASE ignored; versions
// JA4 names win over unknown code points such as old TLS 1.3 drafts), else legacy_version.
Result<std::string> ja4_version(const ClientHello& ch) {
  uint16_t version = ch.legacy_version();
  if (auto ext = ch.extension(msg::ext::supported_versions)) {
    SNR_TRY_ASSIGN(std::vector<uint16_t> offered, u16_list<1>(*ext, "bad supported_versions"));
    offered = without_grease(offered);
    std::optional<uint16_t> best_known, best_any;
    for (uint16_t v : offered) {
      if (!best_any || v > *best_any) best_any = v;
      // TLS versions grow with their number, DTLS versions shrink.
      if (std::string_view(ja4_version_name(v)) == "00") continue;
      const bool dtls = v >= 0xfe00;
      if (!best_known || (dtls ? v < *best_known : v > *best_known)) best_known = v;
    }
    if (best_known)
      version = *best_known;
    else if (best_any)
      version = *best_any;
  }
  return std::string(ja4_version_name(version));
}

bool is_alnum(uint8_t c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

// First and last character of the first ALPN protocol; "00" without one. When either end is
// not alphanumeric, the ends of the value's hex form stand in for it (JA4 spec).
Result<std::string> ja4_alpn(const ClientHello& ch) {
  auto ext = ch.extension(msg::ext::alpn);
  if (!ext) return std::string("00");
  wire::Reader r(*ext);
  wire::Reader list;
  if (!r.prefixed<2>(list) || !r.empty()) return decode_error("bad ALPN");
  ByteView first;
  bool have_first = false;
  while (!list.empty()) {
    ByteView name;
    if (!list.prefixed_bytes<1>(name)) return decode_error("bad ALPN");
    if (!have_first) first = name;
    have_first = true;
  }
  if (first.empty()) return std::string("00");
  const uint8_t head = first.front();
  const uint8_t tail = first.back();
  if (is_alnum(head) && is_alnum(tail))
    return std::string{static_cast<char>(head), static_cast<char>(tail)};
  const std::string hex = to_hex(first);
  return std::string{hex.front(), hex.back()};
}

std::string two_digits(size_t n) {
  n = std::min(n, kJa4MaxCount);
  return std::string{static_cast<char>('0' + n / 10), static_cast<char>('0' + n % 10)};
}

Result<std::string> ja4_hash12(std::string_view text) {
  SNR_TRY_ASSIGN(std::string hex, hex_digest(crypto::HashAlg::SHA256, text));
  return hex.substr(0, kJa4HashPart);
}

Result<Fingerprint> ja4(const ClientHello& ch) {
  const std::vector<uint16_t> ciphers = without_grease(ch.cipher_suites());
  const std::vector<uint16_t> extensions = without_grease(extension_types(ch));
  std::vector<uint16_t> sig_algs;
  if (auto ext = ch.extension(msg::ext::signature_algorithms)) {
    SNR_TRY_ASSIGN(std::vector<uint16_t> all, u16_list<2>(*ext, "bad signature_algorithms"));
    sig_algs = without_grease(all);
  }

  // RFC 9001 8.2: quic_transport_parameters is sent exactly when TLS runs inside QUIC, so it
  // tells the transport without knowing where the hello came from.
  const char protocol = ch.has_extension(msg::ext::quic_transport_parameters) ? 'q' : 't';
  SNR_TRY_ASSIGN(std::string version, ja4_version(ch));
  SNR_TRY_ASSIGN(std::string alpn, ja4_alpn(ch));
  std::string a(1, protocol);
  a += version;
  a += ch.has_extension(msg::ext::server_name) ? 'd' : 'i';
  a += two_digits(ciphers.size());
  a += two_digits(extensions.size());
  a += alpn;

  std::vector<uint16_t> sorted_ciphers = ciphers;
  std::sort(sorted_ciphers.begin(), sorted_ciphers.end());
  // SNI and ALPN are already in part a; leaving them out of c keeps c the same for one client
  // whether it connects to a name or an address, and whatever protocols it asks for.
  std::vector<uint16_t> sorted_exts;
  for (uint16_t t : extensions) {
    if (t != msg::ext::server_name && t != msg::ext::alpn) sorted_exts.push_back(t);
  }
  std::sort(sorted_exts.begin(), sorted_exts.end());

  const std::string b_text = join(sorted_ciphers, ',', hex4);
  std::string c_text = join(sorted_exts, ',', hex4);
  if (!sig_algs.empty()) {
    c_text += '_';
    c_text += join(sig_algs, ',', hex4);
  }

  // An empty list is shown as zeros rather than the hash of nothing.
  std::string b(kJa4HashPart, '0');
  std::string c(kJa4HashPart, '0');
  if (!sorted_ciphers.empty()) {
    SNR_TRY_ASSIGN(b, ja4_hash12(b_text));
  }
  if (!sorted_exts.empty()) {
    SNR_TRY_ASSIGN(c, ja4_hash12(c_text));
  }
  std::string hash = a + '_' + b + '_' + c;
  std::string raw = a + '_' + b_text + '_' + c_text;
  return Fingerprint(FingerprintType::JA4, std::move(hash), std::move(raw));
}

}  // namespace

size_t Builder::hash_size() const {
  return type_ == FingerprintType::JA3 ? kJa3HashSize : kJa4HashSize;
}

Result<Fingerprint> Builder::build(const ClientHello& client_hello) const {
  Result<Fingerprint> fp = type_ == FingerprintType::JA3 ? ja3(client_hello) : ja4(client_hello);
  if (!fp.ok()) return fp;
  if (raw_size_ != 0 && fp->raw_size() > raw_size_)
    return make_error(Err::BUFFER_TOO_SMALL, "fingerprint raw string exceeds set_raw_size");
  return fp;
}

}  // namespace snr::fingerprint
