// Connection getters for the key exchange and the SSLv2 hello (SPEC 1), and the public
// ClientHello of an SSLv2-format hello.
#include "core/connection_state.hpp"
#include "msg/sslv2_hello.hpp"
#include "policy/registry.hpp"
#include "snr/client_hello.hpp"
#include "snr/connection.hpp"
#include "util/error_code.hpp"

namespace snr {

Result<ClientHello> ClientHello::parse_sslv2(std::span<const uint8_t> message) {
  SNR_TRY_ASSIGN(msg::ClientHello converted, msg::parse_sslv2_client_hello(message));
  Bytes tls;
  SNR_TRY(msg::serialize(converted, tls));
  SNR_TRY_ASSIGN(ClientHello ch, parse(tls));
  ch.sslv2_ = true;
  return ch;
}

bool Connection::client_hello_is_sslv2() const {
  return s_->mode == Mode::Server && s_->sslv2_hello;
}

std::optional<std::string_view> Connection::selected_key_exchange_group() const {
  const hs::Negotiated& n = s_->neg;
  if (n.version == Version::Unknown || n.suite == nullptr || n.group == 0) return std::nullopt;
  // TLS 1.2 and older: only a full ECDHE handshake has a group (an abbreviated handshake
  // exchanges no keys).
  if (n.version < Version::TLS13 && (n.resumed || n.suite->kx != policy::KeyExchange::ECDHE))
    return std::nullopt;
  const policy::Group* g = policy::find_group(n.group);
  if (g == nullptr) return std::nullopt;
  return g->name;
}

std::optional<std::string_view> Connection::kem_group_name() const { return std::nullopt; }

std::span<const uint8_t> Connection::ocsp_response() const { return s_->neg.ocsp_response; }

std::optional<std::string_view> Connection::signature_scheme() const {
  const hs::Negotiated& n = s_->neg;
  if (n.sig_scheme != nullptr) return n.sig_scheme->name;
  // TLS 1.0/1.1 sign the ServerKeyExchange with fixed algorithms that have no code point
  // (SPEC 6.4); s2n reports them under these names. (A deserialized connection had no
  // handshake here: no flags.)
  if (n.suite == nullptr || (n.flags & hs::flag::FULL_HANDSHAKE) == 0 ||
      n.version == Version::Unknown || n.version >= Version::TLS12 ||
      n.suite->kx == policy::KeyExchange::RSA || n.suite->kx == policy::KeyExchange::TLS13)
    return std::nullopt;
  if (n.suite->auth == policy::Auth::RSA) return std::string_view("legacy_rsa_md5_sha1");
  if (n.suite->auth == policy::Auth::ECDSA) return std::string_view("ecdsa_sha1");
  return std::nullopt;
}

}  // namespace snr
