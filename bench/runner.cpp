#include "runner.hpp"

#include <malloc.h>

#include <algorithm>
#include <cstdio>
#include <latch>
#include <string>
#include <thread>

#include "raw_aead.hpp"

namespace bench {
namespace {

constexpr double kTenThousand = 10000;

// The handshake scenarios: each handshake on a fresh pair.
struct HandshakeScenario {
  const char* name;
  CertKind cert;
  bool tls12;
  bool tickets;  // every pair resumes the one session saved when the scenario was set up
  int Options::*count;
};

constexpr HandshakeScenario kHandshakes[] = {
    {"full-ecdsa", CertKind::kEcdsa, false, false, &Options::hs_ecdsa},
    {"full-rsa", CertKind::kRsa, false, false, &Options::hs_rsa},
    {"full-tls12", CertKind::kEcdsa, true, false, &Options::hs_tls12},
    {"resumed", CertKind::kEcdsa, false, true, &Options::hs_resumed},
};

const HandshakeScenario* find_handshake(const std::string& name) {
  for (const HandshakeScenario& k : kHandshakes)
    if (name == k.name) return &k;
  return nullptr;
}

struct BulkScenario {
  const char* name;
  Cipher cipher;
};

constexpr BulkScenario kBulk[] = {
    {"bulk-aes128gcm", Cipher::kAes128Gcm},
    {"bulk-aes256gcm", Cipher::kAes256Gcm},
    {"bulk-chacha20", Cipher::kChacha20},
};

double per_second(double count, double seconds) { return seconds > 0 ? count / seconds : 0; }

// The share of the wall time this process was not running (other processes on the shared
// machine, or the hypervisor): how noisy the series was. The sides' figures do not include
// that time (Meter counts thread CPU time).
double off_cpu_pct(double cpu, double wall) {
  return wall > 0 ? std::max(0.0, 100.0 * (1.0 - cpu / wall)) : 0;
}

// Configures `b` for a handshake scenario. With tickets, one untimed full handshake gets the
// session that every later client resumes; the server's ticket key stays the same from here
// on.
void prepare_handshakes(Backend& b, const HandshakeScenario& k, Link& link) {
  Setup setup;
  setup.cert = k.cert;
  setup.tls12 = k.tls12;
  setup.tickets = k.tickets;
  b.configure(setup);
  if (!k.tickets) return;
  Meter untimed;
  link.clear();
  Pair p = Pair::connect(b, link, untimed);
  if (p.client->resumed()) die(std::string(b.name()) + ": the first handshake resumed");
  b.keep_session(*p.client);
  p.close(untimed);
}

// Dies unless the pair did the scenario's kind of handshake.
void check_resumed(const Backend& b, const HandshakeScenario& k, const Pair& p) {
  if (p.client->resumed() != k.tickets || p.server->resumed() != k.tickets)
    die(std::string(b.name()) + ": " + k.name +
        (k.tickets ? ": the handshake did not resume" : ": the handshake resumed"));
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// Handshakes on fresh pairs, timed by nobody: warm-ups (so that lazily built state such as
// provider caches exists before anything is measured) and the wall-clock series.
void run_handshakes(Backend& b, Link& link, int count) {
  Meter m;
  for (int i = 0; i < count; ++i) {
    link.clear();
    Pair p = Pair::connect(b, link, m);
    p.close(m);
  }
}

}  // namespace

const std::vector<std::string>& scenario_names() {
  static const std::vector<std::string> names = {
      "full-ecdsa",     "full-rsa",      "full-tls12", "resumed",          "bulk-aes128gcm",
      "bulk-aes256gcm", "bulk-chacha20", "mem-idle",   "mem-idle-release", "mem-peak",
      "allocs",         "c10k",          "two-threads"};
  return names;
}

Runner::Runner(const Options& options, std::vector<std::unique_ptr<Backend>> backends)
    : o_(options), backends_(std::move(backends)) {}

bool Runner::selected(const std::string& scenario) const {
  return o_.only.empty() || std::find(o_.only.begin(), o_.only.end(), scenario) != o_.only.end();
}

void Runner::run_all() {
  // mem-peak and allocs come from the same traced handshakes.
  bool trace = selected("mem-peak") || selected("allocs");
  if (trace && !alloc_hook_active()) {
    for (const char* sc : {"mem-peak", "allocs"})
      if (selected(sc)) results_.not_available(sc, "allocator hook not built (sanitizer build)");
    trace = false;
  }
  for (int rep = 0; rep < o_.reps; ++rep) {
    std::fprintf(stderr, "== repetition %d of %d\n", rep + 1, o_.reps);
    for (const std::string& sc : scenario_names()) {
      if (sc == "allocs") continue;
      if (sc == "mem-peak" ? !trace : !selected(sc)) continue;
      if (sc == "c10k" && rep >= o_.c10k_reps) continue;
      for (const BulkScenario& k : kBulk)
        if (sc == k.name) raw_aead(sc, k.cipher);
      // Rotate the order each repetition: no backend always runs first (cold) or last.
      const size_t n = backends_.size();
      for (size_t i = 0; i < n; ++i)
        run_one(sc, *backends_[(i + static_cast<size_t>(rep)) % n], rep);
    }
  }
}

void Runner::run_one(const std::string& sc, Backend& b, int rep) {
  if (find_handshake(sc) != nullptr) return handshakes(b, sc, rep);
  for (const BulkScenario& k : kBulk)
    if (sc == k.name) return bulk(b, sc, k.cipher, rep);
  if (sc == "mem-idle") return mem_idle(b, sc, false);
  if (sc == "mem-idle-release") return mem_idle(b, sc, true);
  if (sc == "mem-peak") return heap_trace(b);
  if (sc == "c10k") return c10k(b);
  if (sc == "two-threads") return two_threads(b);
  die("unknown scenario " + sc);
}

// Handshakes on fresh connections; creating and freeing each connection is charged to its
// side too (it is per-connection work), and so is the client's read after the handshake, which
// takes in the server's NewSessionTicket in `resumed` (see Pair::connect). Every pair is
// checked to have resumed, or not, as the scenario says.
void Runner::handshakes(Backend& b, const std::string& sc, int rep) {
  const HandshakeScenario& k = *find_handshake(sc);
  Link link;
  prepare_handshakes(b, k, link);
  run_handshakes(b, link, o_.warmup);
  const int n = o_.*k.count;
  Meter m;
  const uint64_t cpu0 = cpu_ns();
  const uint64_t wall0 = now_ns();
  for (int i = 0; i < n; ++i) {
    link.clear();
    Pair p = Pair::connect(b, link, m);
    check_resumed(b, k, p);
    if (i == 0 && rep == 0) {
      results_.info(b.name(), sc,
                    p.client->describe() + (p.client->resumed() ? " resumed=yes" : " resumed=no") +
                        " server-after-handshake=" + std::to_string(p.tail_records) +
                        " record(s)/" + std::to_string(p.tail_bytes) + " bytes");
    }
    p.close(m);
  }
  const double cpu = 1e-9 * static_cast<double>(cpu_ns() - cpu0);
  const double wall = 1e-9 * static_cast<double>(now_ns() - wall0);
  results_.add(b.name(), sc, "hs_per_s_server", per_second(n, m.seconds(Side::kServer)));
  results_.add(b.name(), sc, "hs_per_s_client", per_second(n, m.seconds(Side::kClient)));
  results_.add(b.name(), sc, "hs_per_s_pair",
               per_second(n, m.seconds(Side::kServer) + m.seconds(Side::kClient)));
  results_.add(b.name(), sc, "offcpu_pct", off_cpu_pct(cpu, wall));
}

// Server -> client in record-sized writes over one established connection.
void Runner::bulk(Backend& b, const std::string& sc, Cipher cipher, int rep) {
  Setup setup;
  setup.cipher = cipher;
  b.configure(setup);
  Link link;
  Meter untimed;
  Pair p = Pair::connect(b, link, untimed);
  if (rep == 0) results_.info(b.name(), sc, p.client->describe());
  transfer(p, std::min<uint64_t>(o_.bulk_bytes, 4u << 20), o_.record, untimed);
  Meter m;
  const uint64_t cpu0 = cpu_ns();
  const uint64_t wall0 = now_ns();
  transfer(p, o_.bulk_bytes, o_.record, m);
  const double cpu = 1e-9 * static_cast<double>(cpu_ns() - cpu0);
  const double wall = 1e-9 * static_cast<double>(now_ns() - wall0);
  p.close(untimed);
  const uint64_t chunks = (o_.bulk_bytes + o_.record - 1) / o_.record;
  const double mb = static_cast<double>(chunks * o_.record) / 1e6;
  const double send = per_second(mb, m.seconds(Side::kServer));
  const double recv = per_second(mb, m.seconds(Side::kClient));
  results_.add(b.name(), sc, "MBps_send", send);
  results_.add(b.name(), sc, "MBps_recv", recv);
  results_.add(b.name(), sc, "MBps_pair",
               per_second(mb, m.seconds(Side::kServer) + m.seconds(Side::kClient)));
  results_.add(b.name(), sc, "offcpu_pct", off_cpu_pct(cpu, wall));
  // Against the raw AEAD's median so far (raw_aead runs before the backends every
  // repetition).
  const auto seal = results_.median("evp", sc, "evp_seal_MBps");
  const auto open = results_.median("evp", sc, "evp_open_MBps");
  if (seal && open) {
    results_.add(b.name(), sc, "send_vs_evp", send / *seal);
    results_.add(b.name(), sc, "recv_vs_evp", recv / *open);
  }
}

void Runner::raw_aead(const std::string& sc, Cipher cipher) {
  const AeadRates r = measure_raw_aead(cipher, o_.bulk_bytes, o_.record);
  results_.add("evp", sc, "evp_seal_MBps", r.seal_mbps);
  results_.add("evp", sc, "evp_open_MBps", r.open_mbps);
}

// Heap per established idle connection (glibc's view, chunk headers included): n pairs are
// connected over one shared link (idle connections never touch it again), then the clients
// are freed first to split the pair's figure by side.
void Runner::mem_idle(Backend& b, const std::string& sc, bool release) {
  Setup setup;
  setup.release_buffers = release;
  b.configure(setup);
  Link link;
  run_handshakes(b, link, 2);
  const int n = o_.mem_conns;
  std::vector<Pair> pairs;
  pairs.reserve(static_cast<size_t>(n));
  Meter m;
  malloc_trim(0);
  const double before = static_cast<double>(heap_in_use());
  for (int i = 0; i < n; ++i) {
    link.clear();
    pairs.push_back(Pair::connect(b, link, m));
    if (release) {
      pairs.back().client->release_buffers();
      pairs.back().server->release_buffers();
    }
  }
  const double all = static_cast<double>(heap_in_use());
  for (Pair& p : pairs) p.client.reset();
  const double servers = static_cast<double>(heap_in_use());
  pairs.clear();
  const double pair = (all - before) / n;
  const double client = (all - servers) / n;
  results_.add(b.name(), sc, "bytes_client", client);
  results_.add(b.name(), sc, "bytes_server", pair - client);
  results_.add(b.name(), sc, "bytes_pair", pair);
}

// mem-peak and allocs: handshakes traced by the allocator hook, per side, from creating the
// connection to freeing it.
void Runner::heap_trace(Backend& b) {
  b.configure(Setup{});
  Link link;
  run_handshakes(b, link, std::min(o_.warmup, 3));
  std::vector<double> peak[kSideCount], calls[kSideCount], bytes[kSideCount], kept[kSideCount];
  for (int i = 0; i < o_.alloc_hs; ++i) {
    link.clear();
    AllocCounters before[kSideCount];
    for (Side s : {Side::kClient, Side::kServer}) {
      reset_alloc_peak(s);
      before[static_cast<int>(s)] = alloc_counters(s);
    }
    Meter m;
    Pair p = Pair::connect(b, link, m);
    p.close(m);
    for (Side s : {Side::kClient, Side::kServer}) {
      const int k = static_cast<int>(s);
      const AllocCounters after = alloc_counters(s);
      peak[k].push_back(static_cast<double>(after.peak - before[k].live));
      calls[k].push_back(static_cast<double>(after.calls - before[k].calls));
      bytes[k].push_back(static_cast<double>(after.bytes - before[k].bytes));
      kept[k].push_back(static_cast<double>(after.live - before[k].live));
    }
  }
  for (Side s : {Side::kClient, Side::kServer}) {
    const int k = static_cast<int>(s);
    const std::string side = side_name(s);
    if (selected("mem-peak")) results_.add(b.name(), "mem-peak", "bytes_" + side, median(peak[k]));
    if (selected("allocs")) {
      results_.add(b.name(), "allocs", "allocs_" + side, median(calls[k]));
      results_.add(b.name(), "allocs", "alloc_bytes_" + side, median(bytes[k]));
      // Heap a finished handshake leaves behind (a cache, or a leak): 0 expected.
      results_.add(b.name(), "allocs", "kept_bytes_" + side, median(kept[k]));
    }
  }
}

// Total heap for established idle pairs, scaled to 10,000 pairs when fewer are measured.
void Runner::c10k(Backend& b) {
  b.configure(Setup{});
  Link link;
  run_handshakes(b, link, 2);
  const int n = o_.c10k_pairs;
  std::vector<Pair> pairs;
  pairs.reserve(static_cast<size_t>(n));
  Meter m;
  malloc_trim(0);
  const double before = static_cast<double>(heap_in_use());
  for (int i = 0; i < n; ++i) {
    link.clear();
    pairs.push_back(Pair::connect(b, link, m));
  }
  const double after = static_cast<double>(heap_in_use());
  pairs.clear();
  malloc_trim(0);
  results_.add(b.name(), "c10k", "heap_MiB", (after - before) / (1 << 20) * kTenThousand / n);
  results_.add(b.name(), "c10k", "pairs", n);
}

// Pair handshakes per second of wall time with one thread, then with two threads each
// running their own pairs (the configuration objects are shared, as in a real server).
// `scaling` is the wall-clock ratio, the figure that counts, but on a loaded machine it
// measures the load; `scaling_cpu` is two times the ratio of handshakes per CPU-second,
// which only shows contention that burns CPU (spinning, cache lines moving between cores),
// not time spent waiting for a lock.
void Runner::two_threads(Backend& b) {
  b.configure(Setup{});
  struct Run {
    double wall_rate;
    double cpu_rate;
    double off_cpu;
  };
  auto run = [&](int threads) {
    // The clock starts once every thread has warmed up and stops when the last one ends.
    std::latch ready(threads);
    std::latch go(1);
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&] {
        Link link;
        run_handshakes(b, link, std::min(o_.warmup, 5));
        ready.count_down();
        go.wait();
        run_handshakes(b, link, o_.mt_hs);
      });
    }
    ready.wait();
    const uint64_t cpu0 = cpu_ns();
    const uint64_t t0 = now_ns();
    go.count_down();
    for (auto& th : pool) th.join();
    const double wall = 1e-9 * static_cast<double>(now_ns() - t0);
    const double cpu = 1e-9 * static_cast<double>(cpu_ns() - cpu0);
    const double n = static_cast<double>(threads) * o_.mt_hs;
    return Run{per_second(n, wall), per_second(n, cpu), off_cpu_pct(cpu, wall * threads)};
  };
  const Run one = run(1);
  const Run two = run(2);
  results_.add(b.name(), "two-threads", "hs_per_s_1t", one.wall_rate);
  results_.add(b.name(), "two-threads", "hs_per_s_2t", two.wall_rate);
  results_.add(b.name(), "two-threads", "scaling",
               one.wall_rate > 0 ? two.wall_rate / one.wall_rate : 0);
  results_.add(b.name(), "two-threads", "scaling_cpu",
               one.cpu_rate > 0 ? 2 * two.cpu_rate / one.cpu_rate : 0);
  results_.add(b.name(), "two-threads", "offcpu_pct", two.off_cpu);
}

void callgrind_one(Backend& b, const std::string& scenario, uint8_t sides) {
  const HandshakeScenario* handshake = find_handshake(scenario);
  Setup setup;
  if (handshake == nullptr) {
    bool known = false;
    for (const BulkScenario& k : kBulk) {
      if (scenario == k.name) {
        setup.cipher = k.cipher;
        known = true;
      }
    }
    if (!known) {
      die("--callgrind-one: scenario must be full-ecdsa, full-rsa, full-tls12, resumed or "
          "bulk-*");
    }
  }
  Link link;
  constexpr uint64_t kMiB = 1 << 20;
  constexpr size_t kRecord = 16 * 1024;
  if (handshake != nullptr) {
    prepare_handshakes(b, *handshake, link);
    run_handshakes(b, link, 2);
    link.clear();
    Meter m;
    g_callgrind_sides = sides;
    Pair p = Pair::connect(b, link, m);
    check_resumed(b, *handshake, p);  // not collected: outside the sides' calls
    p.close(m);
    g_callgrind_sides = 0;
  } else {
    b.configure(setup);
    Meter m;
    Pair p = Pair::connect(b, link, m);
    transfer(p, kMiB, kRecord, m);
    g_callgrind_sides = sides;
    transfer(p, kMiB, kRecord, m);
    g_callgrind_sides = 0;
    p.close(m);
  }
  std::printf("CALLGRIND,%s,%s,done\n", b.name(), scenario.c_str());
}

}  // namespace bench
