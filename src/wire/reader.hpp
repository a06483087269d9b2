// wire::Reader: a bounds-checked, non-owning cursor over wire bytes. Every read returns
// false (and leaves the reader unchanged) when the bytes are not there.
#pragma once

#include <cstddef>
#include <cstdint>

#include "util/bytes.hpp"

namespace snr::wire {

class Reader {
 public:
  Reader() = default;
  explicit Reader(ByteView data) : data_(data) {}

  size_t remaining() const { return data_.size() - pos_; }
  bool empty() const { return remaining() == 0; }
  size_t position() const { return pos_; }
  // The bytes not yet read.
  ByteView rest() const { return data_.subspan(pos_); }

  [[nodiscard]] bool u8(uint8_t& out) { return uint_n(1, out); }
  [[nodiscard]] bool u16(uint16_t& out) { return uint_n(2, out); }
  [[nodiscard]] bool u24(uint32_t& out) { return uint_n(3, out); }
  [[nodiscard]] bool u32(uint32_t& out) { return uint_n(4, out); }
  [[nodiscard]] bool u64(uint64_t& out) { return uint_n(8, out); }

  // Exactly n bytes, as a view into the input.
  [[nodiscard]] bool bytes(size_t n, ByteView& out) {
    if (remaining() < n) return false;
    out = data_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  [[nodiscard]] bool copy(MutByteView out) {
    ByteView v;
    if (!bytes(out.size(), v)) return false;
    std::copy(v.begin(), v.end(), out.begin());
    return true;
  }
  [[nodiscard]] bool skip(size_t n) {
    ByteView v;
    return bytes(n, v);
  }
  // An N-byte big-endian length, then that many bytes as a bounded sub-reader.
  template <int N>
  [[nodiscard]] bool prefixed(Reader& out) {
    ByteView v;
    if (!prefixed_bytes<N>(v)) return false;
    out = Reader(v);
    return true;
  }
  template <int N>
  [[nodiscard]] bool prefixed_bytes(ByteView& out) {
    static_assert(N >= 1 && N <= 3);
    size_t save = pos_;
    uint32_t len = 0;
    if (!uint_n(N, len) || remaining() < len) {
      pos_ = save;
      return false;
    }
    return bytes(len, out);
  }

 private:
  template <class T>
  bool uint_n(size_t n, T& out) {
    if (remaining() < n) return false;
    T v = 0;
    for (size_t i = 0; i < n; ++i) v = static_cast<T>((v << 8) | data_[pos_ + i]);
    pos_ += n;
    out = v;
    return true;
  }

  ByteView data_;
  size_t pos_ = 0;
};

}  // namespace snr::wire
