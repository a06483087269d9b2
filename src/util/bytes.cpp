#include "util/bytes.hpp"

#include <atomic>
#include <cstring>

namespace snr {

namespace {
std::atomic<WipeObserver> wipe_observer{nullptr};
}

void set_wipe_observer(WipeObserver observer) { wipe_observer.store(observer); }

void secure_wipe(void* p, size_t n) {
  if (n == 0) return;
  // A volatile function pointer keeps the compiler from proving the stores dead.
  static void* (*const volatile memset_v)(void*, int, size_t) = std::memset;
  memset_v(p, 0, n);
  if (WipeObserver observe = wipe_observer.load(std::memory_order_relaxed)) observe(p, n);
}

bool ct_equal(ByteView a, ByteView b) {
  if (a.size() != b.size()) return false;
  uint8_t acc = 0;
  for (size_t i = 0; i < a.size(); ++i) acc |= static_cast<uint8_t>(a[i] ^ b[i]);
  return acc == 0;
}

}  // namespace snr
