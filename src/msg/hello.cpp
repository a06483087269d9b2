// ClientHello and ServerHello / HelloRetryRequest (RFC 8446 4.1.2, 4.1.3; RFC 5246 7.4.1.2,
// 7.4.1.3: TLS 1.2 uses the same syntax).
#include <algorithm>
#include <iterator>
#include <utility>

#include "msg/codec.hpp"
#include "util/error_code.hpp"
#include "wire/reader.hpp"
#include "wire/writer.hpp"

namespace snr::msg {

using detail::decode_error;
using detail::write_message;

namespace {

constexpr size_t kMaxSessionIdLength = 32;

bool read_session_id(wire::Reader& r, SessionId& out) {
  ByteView v;
  if (!r.prefixed_bytes<1>(v) || v.size() > kMaxSessionIdLength) return false;
  out.assign(v.begin(), v.end());
  return true;
}

// A hello may end right after its fixed fields: TLS 1.2 peers without extensions omit the
// block altogether (RFC 5246 7.4.1.2). If a block is present it must end the message.
Status read_optional_extensions(wire::Reader& r, Where where, Extensions& out) {
  if (!r.empty()) SNR_TRY(detail::read_extensions(r, where, out));
  if (!r.empty()) return decode_error("data after extensions");
  return {};
}

}  // namespace

bool ServerHello::is_hello_retry_request() const {
  return std::equal(random.begin(), random.end(), std::begin(kHelloRetryRandom),
                    std::end(kHelloRetryRandom));
}

Result<ClientHello> parse_client_hello(ByteView body) {
  wire::Reader r(body);
  ClientHello m;
  if (!r.u16(m.legacy_version) || !r.copy(m.random) || !read_session_id(r, m.session_id))
    return decode_error("ClientHello header");
  ByteView suites, compression;
  // cipher_suites<2..2^16-2>, legacy_compression_methods<1..2^8-1>
  if (!r.prefixed_bytes<2>(suites) || suites.empty() || suites.size() % 2 != 0)
    return decode_error("ClientHello cipher_suites");
  if (!r.prefixed_bytes<1>(compression) || compression.empty())
    return decode_error("ClientHello compression_methods");
  wire::Reader suite_reader(suites);
  uint16_t suite = 0;
  while (suite_reader.u16(suite)) m.cipher_suites.push_back(suite);
  m.compression_methods.assign(compression.begin(), compression.end());
  SNR_TRY(read_optional_extensions(r, Where::ClientHello, m.ext));
  return m;
}

Result<ServerHello> parse_server_hello(ByteView body) {
  wire::Reader r(body);
  ServerHello m;
  if (!r.u16(m.legacy_version) || !r.copy(m.random) || !read_session_id(r, m.session_id) ||
      !r.u16(m.cipher_suite) || !r.u8(m.compression_method))
    return decode_error("ServerHello");
  // The random alone tells an HRR apart, and the HRR's extensions have their own syntax.
  const Where where = m.is_hello_retry_request() ? Where::HelloRetryRequest : Where::ServerHello;
  SNR_TRY(read_optional_extensions(r, where, m.ext));
  return m;
}

Status serialize(const ClientHello& m, Bytes& out) {
  return write_message(HandshakeType::client_hello, out, [&](wire::Writer& w) {
    w.u16(m.legacy_version);
    w.bytes(m.random);
    w.prefixed_bytes<1>(m.session_id);
    w.prefixed<2>([&](wire::Writer& l) {
      for (uint16_t suite : m.cipher_suites) l.u16(suite);
    });
    w.prefixed_bytes<1>(m.compression_methods);
    return m.session_id.size() <= kMaxSessionIdLength &&
           detail::write_extension_block(m.ext, Where::ClientHello, w);
  });
}

Status serialize(const ServerHello& m, Bytes& out) {
  return write_message(HandshakeType::server_hello, out, [&](wire::Writer& w) {
    w.u16(m.legacy_version);
    w.bytes(m.random);
    w.prefixed_bytes<1>(m.session_id);
    w.u16(m.cipher_suite);
    w.u8(m.compression_method);
    const Where where = m.is_hello_retry_request() ? Where::HelloRetryRequest : Where::ServerHello;
    return m.session_id.size() <= kMaxSessionIdLength &&
           detail::write_extension_block(m.ext, where, w);
  });
}

}  // namespace snr::msg
