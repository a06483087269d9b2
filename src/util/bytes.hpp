// Byte buffers: views, owned bytes, and SecureBytes (wiped when freed or resized).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace snr {

using ByteView = std::span<const uint8_t>;
using MutByteView = std::span<uint8_t>;
using Bytes = std::vector<uint8_t>;

inline ByteView as_bytes(std::string_view s) {
  return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
inline std::string_view as_string(ByteView b) {
  return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
}

// Overwrites memory in a way the compiler may not elide.
void secure_wipe(void* p, size_t n);

// Test seam: called by secure_wipe after it zeroed [p, p+n), so that tests can see which
// secrets are wiped and that the memory is zero before it is released. Null by default.
using WipeObserver = void (*)(const void* p, size_t n);
void set_wipe_observer(WipeObserver observer);

// Constant-time comparison of equal-length buffers (false if lengths differ).
bool ct_equal(ByteView a, ByteView b);

// Owned secret bytes: the storage is wiped before it is released.
class SecureBytes {
 public:
  SecureBytes() = default;
  explicit SecureBytes(size_t n) : v_(n) {}
  explicit SecureBytes(ByteView b) : v_(b.begin(), b.end()) {}
  SecureBytes(const SecureBytes& o) : v_(o.v_) {}
  SecureBytes(SecureBytes&& o) noexcept : v_(std::move(o.v_)) {}
  SecureBytes& operator=(const SecureBytes& o) {
    if (this != &o) {
      wipe();
      v_ = o.v_;
    }
    return *this;
  }
  SecureBytes& operator=(SecureBytes&& o) noexcept {
    if (this != &o) {
      wipe();
      v_ = std::move(o.v_);
    }
    return *this;
  }
  ~SecureBytes() { wipe(); }

  void wipe() {
    secure_wipe(v_.data(), v_.size());
    v_.clear();
    v_.shrink_to_fit();
  }
  // Resizes without leaving copies of old secret bytes behind.
  void resize(size_t n) {
    if (n <= v_.capacity()) {
      if (n < v_.size()) secure_wipe(v_.data() + n, v_.size() - n);
      v_.resize(n);
      return;
    }
    std::vector<uint8_t> nv(n);
    std::copy(v_.begin(), v_.end(), nv.begin());
    wipe();
    v_ = std::move(nv);
  }
  void assign(ByteView b) {
    wipe();
    v_.assign(b.begin(), b.end());
  }

  uint8_t* data() { return v_.data(); }
  const uint8_t* data() const { return v_.data(); }
  size_t size() const { return v_.size(); }
  bool empty() const { return v_.empty(); }
  ByteView view() const { return ByteView(v_); }
  MutByteView mut_view() { return MutByteView(v_); }
  operator ByteView() const { return view(); }
  uint8_t& operator[](size_t i) { return v_[i]; }
  uint8_t operator[](size_t i) const { return v_[i]; }

 private:
  std::vector<uint8_t> v_;
};

}  // namespace snr
