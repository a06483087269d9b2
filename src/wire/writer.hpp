// wire::Writer: appends big-endian integers and length-prefixed blocks to a byte vector.
// A value that does not fit its field poisons the writer: ok() turns false for good.
#pragma once

#include <cstddef>
#include <cstdint>

#include "util/bytes.hpp"

namespace snr::wire {

class Writer {
 public:
  explicit Writer(Bytes& out) : out_(out) {}

  bool ok() const { return ok_; }
  size_t size() const { return out_.size(); }

  void u8(uint64_t v) { uint_n(1, v); }
  void u16(uint64_t v) { uint_n(2, v); }
  void u24(uint64_t v) { uint_n(3, v); }
  void u32(uint64_t v) { uint_n(4, v); }
  void u64(uint64_t v) { uint_n(8, v); }
  void bytes(ByteView b) { out_.insert(out_.end(), b.begin(), b.end()); }
  void zeros(size_t n) { out_.insert(out_.end(), n, 0); }

  // Writes an N-byte length, then whatever `body(*this)` appends; the length is patched in
  // afterwards.
  template <int N, class F>
  void prefixed(F&& body) {
    static_assert(N >= 1 && N <= 3);
    size_t at = out_.size();
    out_.insert(out_.end(), N, 0);
    body(*this);
    size_t len = out_.size() - at - N;
    if (N < 8 && len >= (uint64_t{1} << (8 * N))) {
      ok_ = false;
      return;
    }
    for (int i = 0; i < N; ++i) out_[at + i] = static_cast<uint8_t>(len >> (8 * (N - 1 - i)));
  }
  template <int N>
  void prefixed_bytes(ByteView b) {
    prefixed<N>([&](Writer& w) { w.bytes(b); });
  }

 private:
  void uint_n(size_t n, uint64_t v) {
    if (n < 8 && v >= (uint64_t{1} << (8 * n))) ok_ = false;
    for (size_t i = 0; i < n; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * (n - 1 - i))));
  }

  Bytes& out_;
  bool ok_ = true;
};

}  // namespace snr::wire
