// Writes Prometheus's text exposition format (version 0.0.4): for each metric family a
// HELP and a TYPE line, then its samples, label values escaped. Histograms take bucket
// counts as kept (each bucket its own) and are written cumulative, as the format wants.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace ts {

enum class MetricType { kCounter, kGauge, kHistogram };

struct MetricLabel {
  std::string_view name;
  std::string_view value;
};

class PrometheusText {
 public:
  // Every family name gets the prefix, e.g. "textscreen_".
  explicit PrometheusText(std::string prefix) : prefix_(std::move(prefix)) {}

  // Starts a family; the samples written next belong to it. A family must not start
  // twice: the format wants all of a family's samples together.
  void family(std::string_view name, MetricType type, std::string_view help);
  void sample(std::initializer_list<MetricLabel> labels, std::uint64_t value);
  void sample(std::initializer_list<MetricLabel> labels, double value);
  // A histogram family's series: counts[i] observations fell in (bounds[i-1], bounds[i]],
  // and counts[bounds.size()] above the last bound (the +Inf bucket).
  void histogram(std::initializer_list<MetricLabel> labels, std::span<const double> bounds,
                 std::span<const std::uint64_t> counts, double sum);

  const std::string& text() const { return out_; }

 private:
  void series(std::string_view suffix, std::initializer_list<MetricLabel> labels,
              const MetricLabel* extra);

  std::string prefix_;
  std::string family_;  // the current family's full name
  std::string out_;
};

// "a\b" -> "a\\b", a double quote -> \", a newline -> \n (label values).
std::string escapeLabelValue(std::string_view value);
// As label values, except that a double quote stays as it is (HELP text).
std::string escapeHelp(std::string_view text);
// A sample value: integers as integers, +Inf, -Inf and NaN as Prometheus spells them.
std::string formatSampleValue(double value);

}  // namespace ts
