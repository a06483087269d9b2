// Small helpers for the known-answer tests: hex conversion, test data files, and an in-memory
// byte pipe to stand between a Connection's callbacks and the test.
#pragma once

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "util/bytes.hpp"

#ifndef SNR_TEST_DATA_DIR
#define SNR_TEST_DATA_DIR ""
#endif

namespace snr::kat {

// Hex (as the vectors store it) to bytes. Aborts on malformed input: the vectors are fixed
// test data, so a bad one is a bug in the test, not something to recover from.
inline Bytes unhex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    std::abort();
  };
  if (hex.size() % 2 != 0) std::abort();
  Bytes out(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<uint8_t>(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
  return out;
}

// Bytes to lower-case hex: comparing hex strings gives readable test failures.
inline std::string to_hex(ByteView b) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  s.reserve(b.size() * 2);
  for (uint8_t c : b) {
    s += kDigits[c >> 4];
    s += kDigits[c & 15];
  }
  return s;
}

inline Bytes concat(std::initializer_list<ByteView> parts) {
  Bytes out;
  for (ByteView p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// A file of tests/kat/data. SNR_TEST_DATA_DIR names that directory when the build sets it
// so; otherwise (a build that points it at the shared tests/data) the directory next to this
// header is used, which CMake's absolute source paths make reachable.
inline std::string data_path(const std::string& name) {
  std::filesystem::path configured = std::filesystem::path(SNR_TEST_DATA_DIR) / name;
  if (std::filesystem::exists(configured)) return configured.string();
  return (std::filesystem::path(__FILE__).parent_path() / "data" / name).string();
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// One direction of a connection: what one side wrote and the other has not read yet.
struct Pipe {
  std::deque<uint8_t> bytes;

  int write(const uint8_t* buf, uint32_t len) {
    bytes.insert(bytes.end(), buf, buf + len);
    return static_cast<int>(len);
  }
  int read(uint8_t* buf, uint32_t len) {
    if (bytes.empty()) {
      errno = EAGAIN;
      return -1;
    }
    size_t n = std::min<size_t>(len, bytes.size());
    std::copy_n(bytes.begin(), n, buf);
    bytes.erase(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    return static_cast<int>(n);
  }
  void push(ByteView b) { bytes.insert(bytes.end(), b.begin(), b.end()); }
  // Everything written so far, emptying the pipe.
  Bytes take() {
    Bytes out(bytes.begin(), bytes.end());
    bytes.clear();
    return out;
  }
};

}  // namespace snr::kat
