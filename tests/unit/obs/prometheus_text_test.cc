// The exposition-format writer: HELP and TYPE lines per family, label values escaped,
// histogram buckets written cumulative with +Inf equal to _count.
#include "obs/prometheus_text.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>

namespace ts {
namespace {

TEST(PrometheusText, FamilyHasHelpAndTypeThenSamples) {
  PrometheusText out("textscreen_");
  out.family("connections", MetricType::kGauge, "Client sessions open now.");
  out.sample({}, std::uint64_t{3});
  out.family("refused_total", MetricType::kCounter, "Refused.");
  out.sample({{"reason", "overload"}}, std::uint64_t{0});
  out.sample({{"reason", "penalty"}, {"stage", "connect"}}, std::uint64_t{12});
  EXPECT_EQ(out.text(),
            "# HELP textscreen_connections Client sessions open now.\n"
            "# TYPE textscreen_connections gauge\n"
            "textscreen_connections 3\n"
            "# HELP textscreen_refused_total Refused.\n"
            "# TYPE textscreen_refused_total counter\n"
            "textscreen_refused_total{reason=\"overload\"} 0\n"
            "textscreen_refused_total{reason=\"penalty\",stage=\"connect\"} 12\n");
}

TEST(PrometheusText, LabelValuesAreEscaped) {
  EXPECT_EQ(escapeLabelValue("plain"), "plain");
  EXPECT_EQ(escapeLabelValue("a\\b"), "a\\\\b");
  EXPECT_EQ(escapeLabelValue("say \"hi\""), "say \\\"hi\\\"");
  EXPECT_EQ(escapeLabelValue("two\nlines"), "two\\nlines");
  EXPECT_EQ(escapeLabelValue("\\\"\n"), "\\\\\\\"\\n");
  PrometheusText out("t_");
  out.family("x", MetricType::kCounter, "X.");
  out.sample({{"check", "a\"b\\c\nd"}}, std::uint64_t{1});
  EXPECT_NE(out.text().find("t_x{check=\"a\\\"b\\\\c\\nd\"} 1\n"), std::string::npos) << out.text();
}

TEST(PrometheusText, HelpEscapesBackslashAndNewlineButNotQuotes) {
  EXPECT_EQ(escapeHelp("a \"quoted\" word\\\nnext"), "a \"quoted\" word\\\\\\nnext");
  PrometheusText out("t_");
  out.family("x", MetricType::kGauge, "line one\nline two");
  EXPECT_EQ(out.text(), "# HELP t_x line one\\nline two\n# TYPE t_x gauge\n");
}

TEST(PrometheusText, SampleValues) {
  EXPECT_EQ(formatSampleValue(0), "0");
  EXPECT_EQ(formatSampleValue(0.005), "0.005");
  EXPECT_EQ(formatSampleValue(2.5), "2.5");
  EXPECT_EQ(formatSampleValue(60), "60");
  EXPECT_EQ(formatSampleValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(formatSampleValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(formatSampleValue(std::nan("")), "NaN");
  PrometheusText out("t_");
  out.family("big", MetricType::kCounter, "Exact beyond 2^53.");
  out.sample({}, std::uint64_t{18446744073709551615u});
  out.family("ratio", MetricType::kGauge, "A fraction.");
  out.sample({}, 0.25);
  EXPECT_NE(out.text().find("t_big 18446744073709551615\n"), std::string::npos) << out.text();
  EXPECT_NE(out.text().find("t_ratio 0.25\n"), std::string::npos) << out.text();
}

TEST(PrometheusText, HistogramBucketsAreCumulative) {
  const std::array<double, 3> bounds = {0.01, 0.1, 1};
  // Per bucket: 2 in (0, 0.01], 0 in (0.01, 0.1], 3 in (0.1, 1], 1 above 1.
  const std::array<std::uint64_t, 4> counts = {2, 0, 3, 1};
  PrometheusText out("textscreen_");
  out.family("check_duration_seconds", MetricType::kHistogram, "How long.");
  out.histogram({{"check", "dnsbl"}}, bounds, counts, 4.75);
  EXPECT_EQ(out.text(),
            "# HELP textscreen_check_duration_seconds How long.\n"
            "# TYPE textscreen_check_duration_seconds histogram\n"
            "textscreen_check_duration_seconds_bucket{check=\"dnsbl\",le=\"0.01\"} 2\n"
            "textscreen_check_duration_seconds_bucket{check=\"dnsbl\",le=\"0.1\"} 2\n"
            "textscreen_check_duration_seconds_bucket{check=\"dnsbl\",le=\"1\"} 5\n"
            "textscreen_check_duration_seconds_bucket{check=\"dnsbl\",le=\"+Inf\"} 6\n"
            "textscreen_check_duration_seconds_sum{check=\"dnsbl\"} 4.75\n"
            "textscreen_check_duration_seconds_count{check=\"dnsbl\"} 6\n");
}

TEST(PrometheusText, HistogramWithoutLabelsAndEmpty) {
  const std::array<double, 2> bounds = {0.5, 5};
  const std::array<std::uint64_t, 3> counts = {0, 0, 0};
  PrometheusText out("t_");
  out.family("h", MetricType::kHistogram, "Empty.");
  out.histogram({}, bounds, counts, 0);
  EXPECT_EQ(out.text(),
            "# HELP t_h Empty.\n"
            "# TYPE t_h histogram\n"
            "t_h_bucket{le=\"0.5\"} 0\n"
            "t_h_bucket{le=\"5\"} 0\n"
            "t_h_bucket{le=\"+Inf\"} 0\n"
            "t_h_sum 0\n"
            "t_h_count 0\n");
}

}  // namespace
}  // namespace ts
