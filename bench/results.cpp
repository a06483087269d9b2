#include "results.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

namespace bench {
namespace {

enum class Goal : uint8_t {
  kNone,
  kRatioAtLeast,  // snr / openssl >= value
  kAtMost,        // snr's own value <= value
  kAtLeast,       // snr's own value >= value
};

// The table's rows, in order, with the targets of issue 6. A row whose `backend` is set holds
// one value measured without any TLS library (the raw EVP bound).
struct Row {
  std::string_view scenario;
  std::string_view metric;
  std::string_view label;
  Goal goal = Goal::kNone;
  double goal_value = 0;
  std::string_view goal_text = {};
  std::string_view backend = {};
};

constexpr double kKiB = 1024;

constexpr Row kRows[] = {
    {"full-ecdsa", "hs_per_s_server", "handshakes/s server", Goal::kRatioAtLeast, 1.8, ">=1.8x"},
    {"full-ecdsa", "hs_per_s_client", "handshakes/s client", Goal::kRatioAtLeast, 2.0, ">=2.0x"},
    {"full-ecdsa", "hs_per_s_pair", "handshakes/s pair"},
    {"full-ecdsa", "offcpu_pct", "off-CPU % (noise)"},
    {"full-rsa", "hs_per_s_server", "handshakes/s server", Goal::kRatioAtLeast, 1.2, ">=1.2x"},
    {"full-rsa", "hs_per_s_client", "handshakes/s client"},
    {"full-rsa", "hs_per_s_pair", "handshakes/s pair"},
    {"full-rsa", "offcpu_pct", "off-CPU % (noise)"},
    {"full-tls12", "hs_per_s_server", "handshakes/s server", Goal::kRatioAtLeast, 1.6, ">=1.6x"},
    {"full-tls12", "hs_per_s_client", "handshakes/s client"},
    {"full-tls12", "hs_per_s_pair", "handshakes/s pair"},
    {"full-tls12", "offcpu_pct", "off-CPU % (noise)"},
    {"resumed", "hs_per_s_server", "handshakes/s server", Goal::kRatioAtLeast, 2.0, ">=2.0x"},
    {"resumed", "hs_per_s_client", "handshakes/s client", Goal::kRatioAtLeast, 2.0, ">=2.0x"},
    {"resumed", "hs_per_s_pair", "handshakes/s pair"},
    {"resumed", "offcpu_pct", "off-CPU % (noise)"},
    {"bulk-aes128gcm", "MBps_send", "MB/s send", Goal::kRatioAtLeast, 1.15, ">=1.15x"},
    {"bulk-aes128gcm", "MBps_recv", "MB/s receive", Goal::kRatioAtLeast, 1.15, ">=1.15x"},
    {"bulk-aes128gcm", "send_vs_evp", "send / raw EVP seal", Goal::kAtLeast, 0.85, ">=0.85"},
    {"bulk-aes128gcm", "recv_vs_evp", "receive / raw EVP open", Goal::kAtLeast, 0.85, ">=0.85"},
    {"bulk-aes128gcm", "evp_seal_MBps", "raw EVP seal MB/s", Goal::kNone, 0, {}, "evp"},
    {"bulk-aes128gcm", "evp_open_MBps", "raw EVP open MB/s", Goal::kNone, 0, {}, "evp"},
    {"bulk-aes128gcm", "offcpu_pct", "off-CPU % (noise)"},
    {"bulk-aes256gcm", "MBps_send", "MB/s send", Goal::kRatioAtLeast, 1.15, ">=1.15x"},
    {"bulk-aes256gcm", "MBps_recv", "MB/s receive", Goal::kRatioAtLeast, 1.15, ">=1.15x"},
    {"bulk-aes256gcm", "send_vs_evp", "send / raw EVP seal", Goal::kAtLeast, 0.85, ">=0.85"},
    {"bulk-aes256gcm", "recv_vs_evp", "receive / raw EVP open", Goal::kAtLeast, 0.85, ">=0.85"},
    {"bulk-aes256gcm", "evp_seal_MBps", "raw EVP seal MB/s", Goal::kNone, 0, {}, "evp"},
    {"bulk-aes256gcm", "evp_open_MBps", "raw EVP open MB/s", Goal::kNone, 0, {}, "evp"},
    {"bulk-aes256gcm", "offcpu_pct", "off-CPU % (noise)"},
    {"bulk-chacha20", "MBps_send", "MB/s send", Goal::kRatioAtLeast, 1.1, ">=1.1x"},
    {"bulk-chacha20", "MBps_recv", "MB/s receive", Goal::kRatioAtLeast, 1.1, ">=1.1x"},
    {"bulk-chacha20", "send_vs_evp", "send / raw EVP seal"},
    {"bulk-chacha20", "recv_vs_evp", "receive / raw EVP open"},
    {"bulk-chacha20", "evp_seal_MBps", "raw EVP seal MB/s", Goal::kNone, 0, {}, "evp"},
    {"bulk-chacha20", "evp_open_MBps", "raw EVP open MB/s", Goal::kNone, 0, {}, "evp"},
    {"bulk-chacha20", "offcpu_pct", "off-CPU % (noise)"},
    {"mem-idle", "bytes_client", "bytes per client", Goal::kAtMost, 12 * kKiB, "<=12KiB"},
    {"mem-idle", "bytes_server", "bytes per server", Goal::kAtMost, 12 * kKiB, "<=12KiB"},
    {"mem-idle", "bytes_pair", "bytes per pair"},
    {"mem-idle-release", "bytes_client", "bytes per client", Goal::kAtMost, 4 * kKiB, "<=4KiB"},
    {"mem-idle-release", "bytes_server", "bytes per server", Goal::kAtMost, 4 * kKiB, "<=4KiB"},
    {"mem-peak", "bytes_client", "peak bytes client", Goal::kAtMost, 24 * kKiB, "<=24KiB"},
    {"mem-peak", "bytes_server", "peak bytes server", Goal::kAtMost, 24 * kKiB, "<=24KiB"},
    {"allocs", "allocs_client", "allocations client", Goal::kAtMost, 100, "<=100"},
    {"allocs", "allocs_server", "allocations server", Goal::kAtMost, 100, "<=100"},
    {"allocs", "alloc_bytes_client", "bytes allocated client"},
    {"allocs", "alloc_bytes_server", "bytes allocated server"},
    {"c10k", "heap_MiB", "MiB heap, 10k idle pairs", Goal::kAtMost, 100, "<=100MiB"},
    {"c10k", "pairs", "pairs measured"},
    {"two-threads", "hs_per_s_1t", "pair handshakes/s 1 thread"},
    {"two-threads", "hs_per_s_2t", "pair handshakes/s 2 threads"},
    {"two-threads", "scaling", "2 threads / 1 thread", Goal::kAtLeast, 1.8, ">=1.8x"},
    {"two-threads", "scaling_cpu", "same, from CPU time"},
    {"two-threads", "offcpu_pct", "off-CPU % (noise)"},
};

// Noise indicators and counts: no snr/openssl ratio.
bool comparable(std::string_view metric) { return metric != "offcpu_pct" && metric != "pairs"; }

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 != 0 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// printf pads by bytes; "±" takes two.
std::string pad(std::string s, size_t width) {
  size_t chars = 0;
  for (unsigned char c : s) chars += (c & 0xc0) != 0x80;
  if (chars < width) s.append(width - chars, ' ');
  return s;
}

std::string format_value(double v) {
  char buf[32];
  const double a = v < 0 ? -v : v;
  std::snprintf(buf, sizeof buf, a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : "%.2f", v);
  return buf;
}

// The median, and the half range over the repetitions in percent of it (the noise).
std::string format_cell(const std::vector<double>& v, bool spread) {
  std::string s = format_value(median_of(v));
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  const double m = median_of(v);
  if (spread && v.size() > 1 && m != 0) {
    char buf[16];
    std::snprintf(buf, sizeof buf, " ±%.0f%%", 50.0 * (*hi - *lo) / (m < 0 ? -m : m));
    s += buf;
  }
  return s;
}

}  // namespace

void Results::add(std::string_view backend, std::string_view scenario, std::string_view metric,
                  double value) {
  Key k{std::string(scenario), std::string(metric), std::string(backend)};
  auto& v = samples_[k];
  if (v.empty()) order_.push_back(k);
  v.push_back(value);
  std::fprintf(stderr, "  %-8.*s %-17.*s %-20.*s %s\n", static_cast<int>(backend.size()),
               backend.data(), static_cast<int>(scenario.size()), scenario.data(),
               static_cast<int>(metric.size()), metric.data(), format_value(value).c_str());
}

void Results::not_available(std::string_view scenario, std::string_view why) {
  not_available_.emplace_back(std::string(scenario), std::string(why));
}

void Results::info(std::string_view backend, std::string_view scenario, std::string_view what) {
  std::printf("INFO,%.*s,%.*s,%.*s\n", static_cast<int>(backend.size()), backend.data(),
              static_cast<int>(scenario.size()), scenario.data(), static_cast<int>(what.size()),
              what.data());
  std::fflush(stdout);
}

std::optional<double> Results::median(std::string_view backend, std::string_view scenario,
                                      std::string_view metric) const {
  auto it = samples_.find(Key{std::string(scenario), std::string(metric), std::string(backend)});
  if (it == samples_.end()) return std::nullopt;
  return median_of(it->second);
}

std::optional<double> Results::ratio(std::string_view scenario, std::string_view metric) const {
  auto snr = samples_.find(Key{std::string(scenario), std::string(metric), "snr"});
  auto ossl = samples_.find(Key{std::string(scenario), std::string(metric), "openssl"});
  if (snr == samples_.end() || ossl == samples_.end()) return std::nullopt;
  const std::vector<double>& a = snr->second;
  const std::vector<double>& b = ossl->second;
  if (a.size() == b.size() && std::none_of(b.begin(), b.end(), [](double x) { return x == 0; })) {
    std::vector<double> r(a.size());
    for (size_t i = 0; i < a.size(); ++i) r[i] = a[i] / b[i];
    return median_of(r);
  }
  const double m = median_of(b);
  if (m == 0) return std::nullopt;
  return median_of(a) / m;
}

void Results::print(const std::vector<std::string>& backends, bool samples) const {
  const bool have_openssl =
      std::find(backends.begin(), backends.end(), "openssl") != backends.end();
  std::printf("\n%-17s %-27s", "scenario", "metric");
  for (const auto& b : backends) std::printf(" %-15s", b.c_str());
  std::printf(" %-11s %-9s %s\n", "snr/openssl", "target", "status");

  std::vector<std::string> target_lines;
  std::string last_scenario;
  for (const Row& row : kRows) {
    const std::vector<std::string> cols =
        row.backend.empty() ? backends : std::vector<std::string>{std::string(row.backend)};
    bool any = false;
    for (const auto& b : cols)
      any = any || samples_.count(Key{std::string(row.scenario), std::string(row.metric), b});
    if (!any) continue;
    const bool first = row.scenario != last_scenario;
    last_scenario = std::string(row.scenario);
    std::printf("%-17s %-27s", first ? std::string(row.scenario).c_str() : "",
                std::string(row.label).c_str());
    for (const auto& b : cols) {
      auto it = samples_.find(Key{std::string(row.scenario), std::string(row.metric), b});
      std::printf(
          " %s",
          pad(it == samples_.end() ? "-" : format_cell(it->second, comparable(row.metric)), 15)
              .c_str());
    }
    if (!row.backend.empty()) {
      std::printf("\n");
      continue;
    }
    const auto snr = median("snr", row.scenario, row.metric);
    std::optional<double> ratio;
    if (comparable(row.metric)) ratio = this->ratio(row.scenario, row.metric);
    std::printf(" %-11s", ratio ? (format_value(*ratio) + "x").c_str() : "-");
    std::optional<double> measured;
    bool met = false;
    switch (row.goal) {
      case Goal::kNone:
        break;
      case Goal::kRatioAtLeast:
        measured = ratio;
        met = ratio && *ratio >= row.goal_value;
        break;
      case Goal::kAtMost:
        measured = snr;
        met = snr && *snr <= row.goal_value;
        break;
      case Goal::kAtLeast:
        measured = snr;
        met = snr && *snr >= row.goal_value;
        break;
    }
    if (row.goal != Goal::kNone) {
      const char* status = !measured ? "n/a" : met ? "met" : "MISSED";
      std::printf(" %-9s %s", std::string(row.goal_text).c_str(), status);
      char buf[256];
      std::snprintf(buf, sizeof buf, "TARGET,%s,%s,%s,%s,%s", std::string(row.scenario).c_str(),
                    std::string(row.metric).c_str(), std::string(row.goal_text).c_str(),
                    measured ? format_value(*measured).c_str() : "n/a",
                    !measured ? "n/a"
                    : met     ? "met"
                              : "missed");
      target_lines.emplace_back(buf);
    }
    std::printf("\n");
  }
  for (const auto& [scenario, why] : not_available_)
    std::printf("%-17s n/a: %s\n", scenario.c_str(), why.c_str());

  // Machine lines: the catalogue's order first, then anything else in the order measured.
  std::vector<Key> keys;
  std::set<Key> seen;
  for (const Row& row : kRows) {
    for (const Key& k : order_) {
      if (std::get<0>(k) == row.scenario && std::get<1>(k) == row.metric && seen.insert(k).second)
        keys.push_back(k);
    }
  }
  for (const Key& k : order_)
    if (seen.insert(k).second) keys.push_back(k);

  std::printf("\n");
  for (const Key& k : keys) {
    const auto& [scenario, metric, backend] = k;
    std::printf("RESULT,%s,%s,%s,%.6g\n", backend.c_str(), scenario.c_str(), metric.c_str(),
                median_of(samples_.at(k)));
  }
  if (have_openssl) {
    for (const Key& k : keys) {
      const auto& [scenario, metric, backend] = k;
      // Noise indicators and counts are no comparison.
      if (backend != "snr" || !comparable(metric)) continue;
      const auto r = ratio(scenario, metric);
      if (!r) continue;
      std::printf("RATIO,%s,%s,%.4g\n", scenario.c_str(), metric.c_str(), *r);
    }
  }
  for (const auto& line : target_lines) std::printf("%s\n", line.c_str());
  for (const auto& [scenario, why] : not_available_)
    std::printf("NA,%s,%s\n", scenario.c_str(), why.c_str());
  if (samples) {
    for (const Key& k : keys) {
      const auto& [scenario, metric, backend] = k;
      const auto& v = samples_.at(k);
      for (size_t i = 0; i < v.size(); ++i)
        std::printf("SAMPLE,%s,%s,%s,%zu,%.6g\n", backend.c_str(), scenario.c_str(), metric.c_str(),
                    i + 1, v[i]);
    }
  }
  std::fflush(stdout);
}

}  // namespace bench
