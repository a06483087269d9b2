// snr-bench: snr, OpenSSL libssl and GnuTLS in one process and one run.
//
//   snr-bench [--quick | --smoke] [--reps N] [--only SCENARIO,...] [--backends NAME,...]
//             [--data DIR] [--samples]
//   snr-bench --callgrind-one SCENARIO BACKEND [--side client|server|both]
//
// The table and the machine lines (RESULT, RATIO, TARGET, NA, INFO) go to stdout; progress
// to stderr. See bench/README.md.
#include <sys/utsname.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <string>
#include <thread>

#include "runner.hpp"

namespace bench {
namespace {

#ifdef SNR_BENCH_HAVE_GNUTLS
constexpr const char* kBuiltBackends = "snr openssl gnutls";
#else
constexpr const char* kBuiltBackends = "snr openssl";
#endif

[[noreturn]] void usage(int code) {
  FILE* out = code == 0 ? stdout : stderr;
  std::fprintf(out,
               "usage: snr-bench [--quick | --smoke] [--reps N] [--only SCENARIO,...]\n"
               "                 [--backends snr,openssl,gnutls] [--data DIR] [--samples]\n"
               "       snr-bench --callgrind-one SCENARIO BACKEND [--side client|server|both]\n"
               "modes: default full (medians of 5), --quick (under a minute), --smoke (one\n"
               "       handshake per backend and scenario: proves the harness works)\n"
               "scenarios:");
  for (const auto& s : scenario_names()) std::fprintf(out, " %s", s.c_str());
  // bench/callgrind.sh reads this line to learn which backends were built.
  std::fprintf(out, "\nbackends: %s\n", kBuiltBackends);
  std::exit(code);
}

// Splits at commas and spaces.
std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t sep = s.find_first_of(", ", start);
    const size_t end = sep == std::string::npos ? s.size() : sep;
    if (end > start) out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

int to_int(const std::string& s) {
  char* end = nullptr;
  const long v = std::strtol(s.c_str(), &end, 10);
  if (end == s.c_str() || *end != '\0' || v <= 0 || v > 100000000) usage(1);
  return static_cast<int>(v);
}

void quick(Options& o) {
  o.mode = "quick";
  o.reps = 1;
  o.warmup = 10;
  o.hs_ecdsa = 300;
  o.hs_rsa = 150;
  o.hs_tls12 = 300;
  o.hs_resumed = 600;
  o.bulk_bytes = 64ull << 20;
  o.mem_conns = 200;
  o.alloc_hs = 5;
  o.c10k_pairs = 1000;
  o.mt_hs = 150;
}

void smoke(Options& o) {
  o.mode = "smoke";
  o.reps = 1;
  o.warmup = 0;
  o.hs_ecdsa = 1;
  o.hs_rsa = 1;
  o.hs_tls12 = 1;
  o.hs_resumed = 1;
  o.bulk_bytes = 64 * 1024;
  o.mem_conns = 2;
  o.alloc_hs = 1;
  o.c10k_pairs = 10;
  o.mt_hs = 1;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos) return line.substr(colon + 2);
    }
  }
  return "unknown cpu";
}

std::unique_ptr<Backend> make_backend(const std::string& name, const DataFiles& files) {
  if (name == "snr") return make_snr_backend(files);
  if (name == "openssl") return make_openssl_backend(files);
#ifdef SNR_BENCH_HAVE_GNUTLS
  if (name == "gnutls") return make_gnutls_backend(files);
#endif
  die("unknown or not built backend: " + name);
}

int run(int argc, char** argv) {
  Options o;
  o.data_dir = SNR_BENCH_DATA_DIR;
  o.backends = split(kBuiltBackends);
  std::string cg_scenario, cg_backend;
  uint8_t cg_sides =
      (1 << static_cast<int>(Side::kClient)) | (1 << static_cast<int>(Side::kServer));
  int reps = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) usage(1);
      return argv[++i];
    };
    if (a == "--quick") {
      quick(o);
    } else if (a == "--smoke") {
      smoke(o);
    } else if (a == "--reps") {
      reps = to_int(next());
    } else if (a == "--only") {
      o.only = split(next());
    } else if (a == "--backends") {
      o.backends = split(next());
    } else if (a == "--data") {
      o.data_dir = next();
    } else if (a == "--samples") {
      o.samples = true;
    } else if (a == "--callgrind-one") {
      cg_scenario = next();
      cg_backend = next();
    } else if (a == "--side") {
      const std::string s = next();
      if (s == "client") {
        cg_sides = 1 << static_cast<int>(Side::kClient);
      } else if (s == "server") {
        cg_sides = 1 << static_cast<int>(Side::kServer);
      } else if (s != "both") {
        usage(1);
      }
    } else if (a == "--help" || a == "-h") {
      usage(0);
    } else {
      usage(1);
    }
  }
  if (reps > 0) o.reps = reps;
  for (const auto& s : o.only) {
    if (std::find(scenario_names().begin(), scenario_names().end(), s) == scenario_names().end())
      die("unknown scenario " + s);
  }
  const DataFiles files = DataFiles::load(o.data_dir);

  if (!cg_scenario.empty()) {
    auto b = make_backend(cg_backend, files);
    callgrind_one(*b, cg_scenario, cg_sides);
    return 0;
  }

  std::vector<std::unique_ptr<Backend>> backends;
  for (const auto& name : o.backends) backends.push_back(make_backend(name, files));

  utsname u{};
  uname(&u);
  char date[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&now));
  std::printf("snr-bench: mode %s, %d repetition(s), %s\n", o.mode.c_str(), o.reps, date);
  std::printf("machine: %s, %u cpu(s), %s %s\n", cpu_model().c_str(),
              std::thread::hardware_concurrency(), u.sysname, u.release);
  for (const auto& b : backends) std::printf("backend %-8s %s\n", b->name(), b->version().c_str());
  std::fflush(stdout);

  const uint64_t t0 = now_ns();
  Runner runner(o, std::move(backends));
  runner.run_all();
  runner.results().print(o.backends, o.samples);
  std::printf("elapsed: %.1f s\n", 1e-9 * static_cast<double>(now_ns() - t0));
  return 0;
}

}  // namespace
}  // namespace bench

int main(int argc, char** argv) { return bench::run(argc, argv); }
