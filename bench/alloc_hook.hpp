// Heap accounting for the benchmark: every allocator call of this process is counted and
// charged to the side (client or server) whose library call is running on this thread.
//
// The executable itself defines malloc, free, calloc, realloc and the aligned variants
// (alloc_hook.cpp). Symbols of the executable take precedence over libc's in every shared
// library, so OpenSSL, GnuTLS, nettle, GMP and libstdc++ (operator new) all allocate through
// it; no LD_PRELOAD, no library-specific hooks, the same method for all three backends.
#pragma once

#include <cstddef>
#include <cstdint>

namespace bench {

enum class Side : uint8_t { kNone = 0, kClient = 1, kServer = 2 };
inline constexpr int kSideCount = 3;

const char* side_name(Side side);

// Per thread and per side. Bytes are malloc_usable_size() of each block (what the caller
// can use; glibc's chunk headers are not included).
struct AllocCounters {
  uint64_t calls = 0;  // malloc, calloc, realloc, memalign-family calls
  uint64_t frees = 0;  // free of a non-null pointer (and the free half of realloc)
  uint64_t bytes = 0;  // total bytes handed out
  int64_t live = 0;    // allocated minus freed while charged to this side
  int64_t peak = 0;    // the highest `live` since the last reset_peak()
};

// False when the hook is compiled out (sanitizer builds, whose runtime owns malloc).
bool alloc_hook_active();

// This thread's counters for one side.
AllocCounters alloc_counters(Side side);
// Restarts peak tracking of this thread's side at its current live bytes.
void reset_alloc_peak(Side side);

// While alive, this thread's allocations are charged to `side` (kNone: not counted).
class ChargeTo {
 public:
  explicit ChargeTo(Side side);
  ~ChargeTo();
  ChargeTo(const ChargeTo&) = delete;
  ChargeTo& operator=(const ChargeTo&) = delete;

 private:
  uint8_t previous_;
};

// glibc's view of the heap in use (mallinfo2: arena bytes in use plus mmapped blocks),
// chunk headers included; the measure for idle memory.
size_t heap_in_use();

}  // namespace bench
