// Collected measurements: samples per (backend, scenario, metric), their medians, the table,
// the machine lines and the targets.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace bench {

class Results {
 public:
  void add(std::string_view backend, std::string_view scenario, std::string_view metric,
           double value);
  // A scenario that was not measured, and why (printed as "n/a: <why>").
  void not_available(std::string_view scenario, std::string_view why);
  void info(std::string_view backend, std::string_view scenario, std::string_view what);

  std::optional<double> median(std::string_view backend, std::string_view scenario,
                               std::string_view metric) const;

  // snr over OpenSSL for a metric: the median of the per-repetition ratios when both have
  // one sample per repetition (each repetition runs the backends back to back, so a change
  // of the host's speed between repetitions cancels out), else the ratio of the medians.
  std::optional<double> ratio(std::string_view scenario, std::string_view metric) const;

  // The readable table, then RESULT, RATIO, TARGET and NA lines (stdout). `backends` sets the
  // column order. With `samples`, also every sample as SAMPLE lines.
  void print(const std::vector<std::string>& backends, bool samples) const;

 private:
  using Key = std::tuple<std::string, std::string, std::string>;  // scenario, metric, backend
  std::map<Key, std::vector<double>> samples_;
  std::vector<Key> order_;  // first-seen order, for metrics the catalogue does not list
  std::vector<std::pair<std::string, std::string>> not_available_;
};

}  // namespace bench
