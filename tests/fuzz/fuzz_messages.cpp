// Every handshake message parser of src/msg/messages.hpp and messages12.hpp. The first input
// byte picks the parser (kParsers below), the rest is the message body; parse -> serialize ->
// parse must agree (msg_round_trip.hpp).
#include "msg_round_trip.hpp"

namespace snr::fuzz {
namespace {

using msg::HandshakeType;
using msg::KxKind;

void server_key_exchange(ByteView body, KxKind kind, bool with_scheme) {
  auto parse = [&](ByteView b) {
    auto m = msg::parse_server_key_exchange(b, kind, with_scheme);
    // The struct marks "no scheme field" (TLS 1.0/1.1) with scheme 0, so a TLS 1.2 message
    // carrying the code point 0x0000 (anonymous, never a valid choice) cannot be written back.
    if (m.ok() && with_scheme && m->scheme == 0)
      return Result<msg::ServerKeyExchange>(make_error(Err::DECODE, "scheme 0"));
    return m;
  };
  round_trip(HandshakeType::server_key_exchange, body, parse);
}

void client_key_exchange(ByteView body, KxKind kind) {
  round_trip(HandshakeType::client_key_exchange, body,
             [&](ByteView b) { return msg::parse_client_key_exchange(b, kind); });
}

void server_hello_done(ByteView body) {
  if (!msg::parse_server_hello_done(body).ok()) return;
  Bytes out;
  check(msg::serialize_server_hello_done(out).ok());
  check(out == Bytes({static_cast<uint8_t>(HandshakeType::server_hello_done), 0, 0, 0}));
}

void message_hash(ByteView body) {
  const Bytes out = msg::message_hash(body);
  check(out.size() == body.size() + 4 && out[0] == 254);
  const size_t len = (size_t{out[1]} << 16) | (size_t{out[2]} << 8) | out[3];
  check(len == body.size() && std::equal(body.begin(), body.end(), out.begin() + 4));
}

using Target = void (*)(ByteView body);

#define SNR_ROUND_TRIP(type, fn) \
  [](ByteView b) { round_trip(HandshakeType::type, b, [](ByteView x) { return msg::fn(x); }); }

constexpr Target kParsers[] = {
    SNR_ROUND_TRIP(client_hello, parse_client_hello),                  // 0
    SNR_ROUND_TRIP(server_hello, parse_server_hello),                  // 1
    SNR_ROUND_TRIP(encrypted_extensions, parse_encrypted_extensions),  // 2
    SNR_ROUND_TRIP(certificate, parse_certificate),                    // 3
    SNR_ROUND_TRIP(certificate_request, parse_certificate_request),    // 4
    SNR_ROUND_TRIP(certificate_verify, parse_certificate_verify),      // 5
    SNR_ROUND_TRIP(finished, parse_finished),                          // 6
    SNR_ROUND_TRIP(new_session_ticket, parse_new_session_ticket),      // 7
    SNR_ROUND_TRIP(key_update, parse_key_update),                      // 8
    SNR_ROUND_TRIP(certificate, parse_certificate12),                  // 9
    [](ByteView b) { server_key_exchange(b, KxKind::ECDHE, true); },   // 10
    [](ByteView b) { server_key_exchange(b, KxKind::ECDHE, false); },  // 11
    [](ByteView b) { server_key_exchange(b, KxKind::DHE, true); },     // 12
    [](ByteView b) { server_key_exchange(b, KxKind::DHE, false); },    // 13
    [](ByteView b) { server_key_exchange(b, KxKind::RSA, true); },     // 14
    server_hello_done,                                                 // 15
    [](ByteView b) { client_key_exchange(b, KxKind::ECDHE); },         // 16
    [](ByteView b) { client_key_exchange(b, KxKind::DHE); },           // 17
    [](ByteView b) { client_key_exchange(b, KxKind::RSA); },           // 18
    message_hash,                                                      // 19
};

#undef SNR_ROUND_TRIP

}  // namespace
}  // namespace snr::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace snr::fuzz;
  if (size == 0) return 0;
  const size_t which = data[0];
  if (which >= std::size(kParsers)) return 0;
  kParsers[which](snr::ByteView(data + 1, size - 1));
  return 0;
}
