// Internal to src/msg: the pieces every message parser and serializer shares.
#pragma once

#include "msg/messages.hpp"
#include "util/error_code.hpp"
#include "wire/reader.hpp"
#include "wire/writer.hpp"

namespace snr::msg::detail {

// extensions.cpp: an extension block in the middle of a message.
Status read_extensions(wire::Reader& r, Where where, Extensions& out);
bool write_extension_block(const Extensions& ext, Where where, wire::Writer& w);

inline Error decode_error(std::string what) { return make_error(Err::DECODE, std::move(what)); }

// Appends the 4-byte handshake header and the body `write_body` produces; on failure `out` is
// left as it was.
template <class F>
Status write_message(HandshakeType type, Bytes& out, F&& write_body) {
  const size_t start = out.size();
  wire::Writer w(out);
  bool body_ok = true;
  w.u8(static_cast<uint8_t>(type));
  w.prefixed<3>([&](wire::Writer& body) { body_ok = write_body(body); });
  if (!w.ok() || !body_ok) {
    out.resize(start);
    return make_error(Err::INTERNAL, "handshake message does not fit its encoding");
  }
  return {};
}

}  // namespace snr::msg::detail
