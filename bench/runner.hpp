// The scenarios. Each one measures one backend once; the runner interleaves the backends
// (a different order every repetition) so that a slow spell of the shared machine is spread
// over all of them, and the table shows medians.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "harness.hpp"
#include "results.hpp"

namespace bench {

struct Options {
  std::string mode = "full";  // full, quick, smoke
  int reps = 5;
  int warmup = 20;        // untimed handshakes before each timed series
  int hs_ecdsa = 2000;    // full-ecdsa handshakes per repetition
  int hs_rsa = 1000;      // full-rsa handshakes per repetition
  int hs_tls12 = 2000;    // full-tls12 handshakes per repetition
  int hs_resumed = 4000;  // resumed handshakes per repetition
  uint64_t bulk_bytes = 512ull << 20;
  size_t record = 16 * 1024;          // bytes per write in the bulk scenarios
  int mem_conns = 1000;               // connections in mem-idle and mem-idle-release
  int alloc_hs = 21;                  // handshakes whose heap is traced (mem-peak, allocs)
  int c10k_pairs = 10000;             // pairs in c10k (the heap is scaled to 10,000)
  int c10k_reps = 1;                  // heap figures barely move; one repetition is enough
  int mt_hs = 1000;                   // handshakes per thread in two-threads
  std::vector<std::string> only;      // scenario names (empty: all)
  std::vector<std::string> backends;  // backend names, in table order
  std::string data_dir;
  bool samples = false;
};

// All scenario names, in run order.
const std::vector<std::string>& scenario_names();

class Runner {
 public:
  Runner(const Options& options, std::vector<std::unique_ptr<Backend>> backends);
  void run_all();
  const Results& results() const { return results_; }

 private:
  bool selected(const std::string& scenario) const;
  void run_one(const std::string& scenario, Backend& b, int rep);

  void handshakes(Backend& b, const std::string& scenario, int rep);
  void bulk(Backend& b, const std::string& scenario, Cipher cipher, int rep);
  void raw_aead(const std::string& scenario, Cipher cipher);
  void mem_idle(Backend& b, const std::string& scenario, bool release);
  void heap_trace(Backend& b);
  void c10k(Backend& b);
  void two_threads(Backend& b);

  Options o_;
  std::vector<std::unique_ptr<Backend>> backends_;
  Results results_;
};

// --callgrind-one: exactly one handshake (full, or resumed for `resumed`), or one 1 MiB
// transfer, with callgrind collecting only the calls of `sides` (bit 1 << Side).
void callgrind_one(Backend& b, const std::string& scenario, uint8_t sides);

}  // namespace bench
