// The format is specified at prometheus.io/docs/instrumenting/exposition_formats; names
// come from the code, never from input, so only label values and HELP text are escaped.
#include "obs/prometheus_text.h"

#include <fmt/format.h>

#include <cmath>

namespace ts {
namespace {

std::string escape(std::string_view text, bool quotes) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '"':
        out += quotes ? "\\\"" : "\"";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string_view typeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

}  // namespace

std::string escapeLabelValue(std::string_view value) {
  return escape(value, true);
}

std::string escapeHelp(std::string_view text) {
  return escape(text, false);
}

std::string formatSampleValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // Shortest text that reads back as the same double: 0.005, not 0.0050000000000000001.
  return fmt::format("{}", value);
}

void PrometheusText::family(std::string_view name, MetricType type, std::string_view help) {
  family_ = prefix_ + std::string(name);
  out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", family_, escapeHelp(help), family_,
                      typeName(type));
}

void PrometheusText::series(std::string_view suffix, std::initializer_list<MetricLabel> labels,
                            const MetricLabel* extra) {
  out_ += family_;
  out_ += suffix;
  if (labels.size() == 0 && extra == nullptr) return;
  out_ += '{';
  bool first = true;
  auto add = [&](const MetricLabel& l) {
    if (!first) out_ += ',';
    first = false;
    out_ += fmt::format("{}=\"{}\"", l.name, escapeLabelValue(l.value));
  };
  for (const MetricLabel& l : labels) add(l);
  if (extra) add(*extra);
  out_ += '}';
}

void PrometheusText::sample(std::initializer_list<MetricLabel> labels, std::uint64_t value) {
  series("", labels, nullptr);
  out_ += fmt::format(" {}\n", value);
}

void PrometheusText::sample(std::initializer_list<MetricLabel> labels, double value) {
  series("", labels, nullptr);
  out_ += ' ';
  out_ += formatSampleValue(value);
  out_ += '\n';
}

void PrometheusText::histogram(std::initializer_list<MetricLabel> labels,
                               std::span<const double> bounds,
                               std::span<const std::uint64_t> counts, double sum) {
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= bounds.size(); ++i) {
    cumulative += i < counts.size() ? counts[i] : 0;
    std::string le = i < bounds.size() ? formatSampleValue(bounds[i]) : "+Inf";
    MetricLabel bucket{"le", le};
    series("_bucket", labels, &bucket);
    out_ += fmt::format(" {}\n", cumulative);
  }
  series("_sum", labels, nullptr);
  out_ += ' ';
  out_ += formatSampleValue(sum);
  out_ += '\n';
  series("_count", labels, nullptr);
  out_ += fmt::format(" {}\n", cumulative);
}

}  // namespace ts
