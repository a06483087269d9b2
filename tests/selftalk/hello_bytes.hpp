// Reading a server's plaintext TLS 1.2 ServerHello out of a selftalk pipe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

namespace snr::test {

// TLS 1.2: the ServerHello is plaintext in the pipe. Returns whether its extensions hold an
// empty server_name (type 0, length 0); nullopt when the bytes are not a ServerHello.
inline std::optional<bool> server_hello_acks_name(const std::deque<uint8_t>& pipe) {
  std::vector<uint8_t> b(pipe.begin(), pipe.end());
  // record header (5), handshake header (4), version (2), random (32)
  size_t at = 5 + 4 + 2 + 32;
  if (b.size() < at + 1 || b[0] != 22 || b[5] != 2) return std::nullopt;
  at += 1 + b[at];  // session id
  at += 2 + 1;      // cipher suite, compression
  if (b.size() < at + 2) return std::nullopt;
  const size_t end = at + 2 + (size_t{b[at]} << 8 | b[at + 1]);
  at += 2;
  if (b.size() < end) return std::nullopt;
  bool found = false;
  while (at + 4 <= end) {
    const uint16_t type = static_cast<uint16_t>(b[at] << 8 | b[at + 1]);
    const size_t len = size_t{b[at + 2]} << 8 | b[at + 3];
    if (type == 0 && len == 0) found = true;
    at += 4 + len;
  }
  if (at != end) return std::nullopt;
  return found;
}

}  // namespace snr::test
