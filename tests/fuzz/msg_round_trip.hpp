// The parse -> serialize -> parse check of the message targets, and field-by-field equality of
// the message structs (they have no operator==).
#pragma once

#include <utility>

#include "fuzz_common.hpp"
#include "msg/messages.hpp"
#include "msg/messages12.hpp"

namespace snr::fuzz {

inline bool same(const msg::Extensions& a, const msg::Extensions& b) {
  return a.order == b.order && a.server_name == b.server_name &&
         a.supported_groups == b.supported_groups &&
         a.signature_algorithms == b.signature_algorithms &&
         a.signature_algorithms_cert == b.signature_algorithms_cert &&
         a.supported_versions == b.supported_versions && a.selected_version == b.selected_version &&
         a.key_shares == b.key_shares && a.hrr_group == b.hrr_group && a.cookie == b.cookie &&
         a.psk_key_exchange_modes == b.psk_key_exchange_modes && a.alpn == b.alpn &&
         a.ec_point_formats == b.ec_point_formats && a.renegotiation_info == b.renegotiation_info &&
         a.record_size_limit == b.record_size_limit && a.unknown == b.unknown;
}

inline bool same(const msg::ClientHello& a, const msg::ClientHello& b) {
  return a.legacy_version == b.legacy_version && a.random == b.random &&
         a.session_id == b.session_id && a.cipher_suites == b.cipher_suites &&
         a.compression_methods == b.compression_methods && same(a.ext, b.ext);
}

inline bool same(const msg::ServerHello& a, const msg::ServerHello& b) {
  return a.legacy_version == b.legacy_version && a.random == b.random &&
         a.session_id == b.session_id && a.cipher_suite == b.cipher_suite &&
         a.compression_method == b.compression_method && same(a.ext, b.ext);
}

inline bool same(const msg::EncryptedExtensions& a, const msg::EncryptedExtensions& b) {
  return same(a.ext, b.ext);
}

inline bool same(const msg::Certificate& a, const msg::Certificate& b) {
  if (a.request_context != b.request_context || a.entries.size() != b.entries.size()) return false;
  for (size_t i = 0; i < a.entries.size(); ++i) {
    if (a.entries[i].cert_data != b.entries[i].cert_data ||
        !same(a.entries[i].ext, b.entries[i].ext))
      return false;
  }
  return true;
}

inline bool same(const msg::CertificateRequest& a, const msg::CertificateRequest& b) {
  return a.context == b.context && same(a.ext, b.ext);
}

inline bool same(const msg::CertificateVerify& a, const msg::CertificateVerify& b) {
  return a.scheme == b.scheme && a.signature == b.signature;
}

inline bool same(const msg::Finished& a, const msg::Finished& b) {
  return a.verify_data == b.verify_data;
}

inline bool same(const msg::NewSessionTicket& a, const msg::NewSessionTicket& b) {
  return a.lifetime == b.lifetime && a.age_add == b.age_add && a.nonce == b.nonce &&
         a.ticket == b.ticket && same(a.ext, b.ext);
}

inline bool same(const msg::KeyUpdate& a, const msg::KeyUpdate& b) {
  return a.request_update == b.request_update;
}

inline bool same(const msg::Certificate12& a, const msg::Certificate12& b) {
  return a.certs == b.certs;
}

inline bool same(const msg::ServerKeyExchange& a, const msg::ServerKeyExchange& b) {
  return a.kind == b.kind && a.group == b.group && a.point == b.point && a.dh_p == b.dh_p &&
         a.dh_g == b.dh_g && a.dh_ys == b.dh_ys && a.scheme == b.scheme &&
         a.signature == b.signature;
}

inline bool same(const msg::ClientKeyExchange& a, const msg::ClientKeyExchange& b) {
  return a.kind == b.kind && a.exchange == b.exchange;
}

// parse(body) = m1; serialize(m1) = out1 (skip if serialize refuses m1); then out1 must be
// one well-formed handshake message of `type` whose body parses to m2 == m1, and
// serialize(m2) must give out1 again.
template <class Parse>
void round_trip(msg::HandshakeType type, ByteView body, Parse&& parse) {
  auto m1 = parse(body);
  if (!m1.ok()) return;
  Bytes out1;
  if (!msg::serialize(*m1, out1).ok()) return;
  check(out1.size() >= 4 && out1[0] == static_cast<uint8_t>(type));
  const size_t len = (size_t{out1[1]} << 16) | (size_t{out1[2]} << 8) | out1[3];
  check(len == out1.size() - 4);
  auto m2 = parse(ByteView(out1).subspan(4));
  check(m2.ok());
  check(same(*m1, *m2));
  Bytes out2;
  check(msg::serialize(*m2, out2).ok());
  check(out1 == out2);
}

}  // namespace snr::fuzz
