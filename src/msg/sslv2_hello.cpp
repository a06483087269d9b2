#include "msg/sslv2_hello.hpp"

#include <algorithm>
#include <string>

#include "util/error_code.hpp"
#include "wire/reader.hpp"

namespace snr::msg {

namespace {

constexpr size_t kMaxSessionId = 32;

Error sslv2_error(const char* what) {
  return make_error(Err::DECODE, std::string("SSLv2 CLIENT-HELLO: ") + what);
}

}  // namespace

Result<ClientHello> parse_sslv2_client_hello(ByteView message) {
  wire::Reader r(message);
  uint8_t type = 0;
  uint16_t version = 0, specs_len = 0, session_id_len = 0, challenge_len = 0;
  if (!r.u8(type) || !r.u16(version) || !r.u16(specs_len) || !r.u16(session_id_len) ||
      !r.u16(challenge_len))
    return sslv2_error("truncated header");
  if (type != kSslv2ClientHello) return sslv2_error("not a CLIENT-HELLO");
  // SSLv2 itself is 0x0002; TLS-capable clients put their ClientHello version here.
  if ((version >> 8) != 3)
    return make_error(Err::PROTOCOL_VERSION_UNSUPPORTED, "SSLv2 CLIENT-HELLO below SSLv3");
  if (specs_len == 0 || specs_len % kSslv2CipherSpecSize != 0)
    return sslv2_error("cipher_spec_length is zero or not a multiple of 3");
  // SSLv2 session ids are 16 bytes; TLS 1.2 clients send none (E.2).
  if (session_id_len > kMaxSessionId) return sslv2_error("session_id longer than 32 bytes");
  if (challenge_len < kSslv2MinChallenge || challenge_len > kSslv2MaxChallenge)
    return sslv2_error("challenge not 16-32 bytes");
  if (r.remaining() != size_t{specs_len} + session_id_len + challenge_len)
    return sslv2_error("lengths do not match the message");

  ClientHello ch;
  ch.legacy_version = version;
  ByteView specs, session_id, challenge;
  (void)(r.bytes(specs_len, specs) && r.bytes(session_id_len, session_id) &&
         r.bytes(challenge_len, challenge));
  wire::Reader spec_reader(specs);
  ch.cipher_suites.reserve(specs.size() / kSslv2CipherSpecSize);
  uint8_t kind = 0;
  uint16_t suite = 0;
  while (spec_reader.u8(kind) && spec_reader.u16(suite)) {
    if (kind == 0) ch.cipher_suites.push_back(suite);
  }
  ch.session_id.assign(session_id.begin(), session_id.end());
  std::copy(challenge.begin(), challenge.end(), ch.random.end() - challenge.size());
  ch.compression_methods = {0};
  return ch;
}

}  // namespace snr::msg
