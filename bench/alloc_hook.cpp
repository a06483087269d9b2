// The allocator wrappers behind alloc_hook.hpp. They forward to glibc's own entry points
// (__libc_malloc and friends, exported by glibc for exactly this purpose) and count on the
// way; mallinfo2 and malloc_trim keep working because the heap stays glibc's.
#include "alloc_hook.hpp"

#include <malloc.h>

#include <cerrno>

namespace bench {
namespace {

// Constant-initialised TLS of the executable itself: no init wrapper and no allocation on
// access, so it is safe inside malloc, even while a thread starts.
constinit thread_local uint8_t t_side = 0;
constinit thread_local AllocCounters t_counters[kSideCount];

}  // namespace

const char* side_name(Side side) {
  switch (side) {
    case Side::kClient:
      return "client";
    case Side::kServer:
      return "server";
    case Side::kNone:
      break;
  }
  return "none";
}

ChargeTo::ChargeTo(Side side) : previous_(t_side) { t_side = static_cast<uint8_t>(side); }
ChargeTo::~ChargeTo() { t_side = previous_; }

AllocCounters alloc_counters(Side side) { return t_counters[static_cast<int>(side)]; }

void reset_alloc_peak(Side side) {
  AllocCounters& c = t_counters[static_cast<int>(side)];
  c.peak = c.live;
}

size_t heap_in_use() {
  const struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

}  // namespace bench

#ifdef SNR_BENCH_ALLOC_HOOK

extern "C" {
void* __libc_malloc(size_t size);
void* __libc_calloc(size_t count, size_t size);
void* __libc_realloc(void* ptr, size_t size);
void* __libc_memalign(size_t alignment, size_t size);
void* __libc_valloc(size_t size);
void* __libc_pvalloc(size_t size);
void __libc_free(void* ptr);
}

namespace bench {

bool alloc_hook_active() { return true; }

namespace {

void note_alloc(void* p, bool count_call) {
  AllocCounters& c = t_counters[t_side];
  const auto size = static_cast<int64_t>(malloc_usable_size(p));
  if (count_call) {
    ++c.calls;
    c.bytes += static_cast<uint64_t>(size);
  }
  c.live += size;
  if (c.live > c.peak) c.peak = c.live;
}

void note_free(void* p) {
  AllocCounters& c = t_counters[t_side];
  ++c.frees;
  c.live -= static_cast<int64_t>(malloc_usable_size(p));
}

void* counted(void* p) {
  if (t_side != 0 && p != nullptr) note_alloc(p, true);
  return p;
}

bool is_power_of_two(size_t n) { return n != 0 && (n & (n - 1)) == 0; }

}  // namespace
}  // namespace bench

extern "C" {

void* malloc(size_t size) noexcept { return bench::counted(__libc_malloc(size)); }

void* calloc(size_t count, size_t size) noexcept {
  return bench::counted(__libc_calloc(count, size));
}

void free(void* ptr) noexcept {
  if (bench::t_side != 0 && ptr != nullptr) bench::note_free(ptr);
  __libc_free(ptr);
}

void* realloc(void* ptr, size_t size) noexcept {
  if (bench::t_side == 0) return __libc_realloc(ptr, size);
  // The old block's size must be read before glibc may release it.
  if (ptr != nullptr) bench::note_free(ptr);
  void* p = __libc_realloc(ptr, size);
  if (p != nullptr) {
    bench::note_alloc(p, true);
  } else if (ptr != nullptr && size != 0) {
    // Failed: the old block is still allocated.
    --bench::t_counters[bench::t_side].frees;
    bench::note_alloc(ptr, false);
  }
  return p;
}

void* memalign(size_t alignment, size_t size) noexcept {
  return bench::counted(__libc_memalign(alignment, size));
}

void* aligned_alloc(size_t alignment, size_t size) noexcept {
  return bench::counted(__libc_memalign(alignment, size));
}

int posix_memalign(void** out, size_t alignment, size_t size) noexcept {
  if (!bench::is_power_of_two(alignment) || alignment % sizeof(void*) != 0) return EINVAL;
  void* p = bench::counted(__libc_memalign(alignment, size));
  if (p == nullptr) return ENOMEM;
  *out = p;
  return 0;
}

void* valloc(size_t size) noexcept { return bench::counted(__libc_valloc(size)); }

void* pvalloc(size_t size) noexcept { return bench::counted(__libc_pvalloc(size)); }

}  // extern "C"

#else  // !SNR_BENCH_ALLOC_HOOK

namespace bench {
bool alloc_hook_active() { return false; }
}  // namespace bench

#endif
