// A vector that keeps its first N values inline: the short lists every handshake message
// carries (its extension types, its key shares, a session id) cost no allocation. Values must
// be default-constructible; the inline ones past size() hold default values.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <initializer_list>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

namespace snr {

template <class T, size_t N>
class SmallVector {
 public:
  using value_type = T;
  using iterator = T*;
  using const_iterator = const T*;

  SmallVector() = default;
  SmallVector(std::initializer_list<T> values) { assign(values.begin(), values.end()); }
  SmallVector& operator=(std::initializer_list<T> values) {
    assign(values.begin(), values.end());
    return *this;
  }
  SmallVector(std::span<const T> values) { assign(values.begin(), values.end()); }
  SmallVector(const std::vector<T>& values) { assign(values.begin(), values.end()); }
  SmallVector(const SmallVector& o) { assign(o.begin(), o.end()); }
  SmallVector(SmallVector&& o) noexcept
      : local_(std::move(o.local_)), heap_(std::move(o.heap_)), n_(o.n_), big_(o.big_) {
    o.clear();
  }
  SmallVector& operator=(const SmallVector& o) {
    if (this != &o) assign(o.begin(), o.end());
    return *this;
  }
  SmallVector& operator=(SmallVector&& o) noexcept {
    if (this != &o) {
      local_ = std::move(o.local_);
      heap_ = std::move(o.heap_);
      n_ = o.n_;
      big_ = o.big_;
      o.clear();
    }
    return *this;
  }

  template <class It>
  requires(!std::is_integral_v<It>) void assign(It first, It last) {
    clear();
    for (; first != last; ++first) push_back(*first);
  }
  void assign(size_t n, const T& value) {
    clear();
    for (size_t i = 0; i < n; ++i) push_back(value);
  }

  T* data() { return big_ ? heap_.data() : local_.data(); }
  const T* data() const { return big_ ? heap_.data() : local_.data(); }
  size_t size() const { return big_ ? heap_.size() : n_; }
  bool empty() const { return size() == 0; }
  T* begin() { return data(); }
  T* end() { return data() + size(); }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size(); }
  T& operator[](size_t i) { return data()[i]; }
  const T& operator[](size_t i) const { return data()[i]; }
  T& front() { return data()[0]; }
  const T& front() const { return data()[0]; }
  T& back() { return data()[size() - 1]; }
  const T& back() const { return data()[size() - 1]; }
  operator std::span<const T>() const { return std::span<const T>(data(), size()); }
  operator std::span<T>() { return std::span<T>(data(), size()); }
  // A copy for code that keeps a list beyond the message.
  std::vector<T> to_vector() const { return std::vector<T>(begin(), end()); }

  void clear() {
    if constexpr (!std::is_trivially_copyable_v<T>) {
      for (size_t i = 0; i < n_; ++i) local_[i] = T();
    }
    n_ = 0;
    heap_.clear();
    big_ = false;
  }
  // New values are default ones (zero for numbers).
  void resize(size_t n) {
    while (size() > n) pop_back();
    while (size() < n) push_back(T());
  }
  void pop_back() {
    if (big_) {
      heap_.pop_back();
    } else {
      local_[--n_] = T();
    }
  }
  void reserve(size_t n) {
    if (n <= N) return;
    if (!big_) spill(n);
    heap_.reserve(n);
  }
  void push_back(T v) {
    if (big_) {
      heap_.push_back(std::move(v));
    } else if (n_ < N) {
      local_[n_++] = std::move(v);
    } else {
      spill(2 * N);
      heap_.push_back(std::move(v));
    }
  }
  // Removes [first, last) (pointers into this vector).
  void erase(T* first, T* last) {
    const size_t removed = static_cast<size_t>(last - first);
    std::move(last, end(), first);
    for (size_t i = 0; i < removed; ++i) pop_back();
  }

  friend bool operator==(const SmallVector& a, const SmallVector& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }
  friend bool operator==(const SmallVector& a, const std::vector<T>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  // Past the inline room: everything moves to the heap for good.
  void spill(size_t capacity) {
    heap_.reserve(capacity);
    for (size_t i = 0; i < n_; ++i) heap_.push_back(std::exchange(local_[i], T()));
    n_ = 0;
    big_ = true;
  }

  std::array<T, N> local_{};
  std::vector<T> heap_;
  size_t n_ = 0;
  bool big_ = false;
};

}  // namespace snr
