// Check latencies: a duration lands in the first bucket whose bound it does not exceed
// (Prometheus's "le"), above the last bound in the overflow bucket, and the sum and
// count follow every observation.
#include "obs/latency_histogram.h"

#include <gtest/gtest.h>

#include <chrono>

namespace ts {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(LatencyHistogram, BoundsAscend) {
  for (std::size_t i = 1; i < LatencyHistogram::kBounds.size(); ++i) {
    EXPECT_LT(LatencyHistogram::kBounds[i - 1], LatencyHistogram::kBounds[i]);
  }
  EXPECT_EQ(LatencyHistogram::kBounds.back(), 60.0);  // the longest deadline a check may have
}

TEST(LatencyHistogram, EachDurationInItsBucket) {
  LatencyHistogram h;
  h.observe(microseconds(100));  // 0.0001 s: first bucket (le 0.0005)
  h.observe(microseconds(500));  // exactly on the first bound: still the first bucket
  h.observe(milliseconds(3));    // (0.0025, 0.005]
  h.observe(seconds(61));        // above every bound
  h.observe(seconds(-1));        // a clock step backwards counts as zero
  auto counts = h.counts();
  ASSERT_EQ(counts.size(), LatencyHistogram::kBounds.size() + 1);
  EXPECT_EQ(counts[0], 3u);
  EXPECT_EQ(counts[3], 1u);
  EXPECT_EQ(counts.back(), 1u);
  std::uint64_t total = 0;
  for (std::uint64_t c : counts) total += c;
  EXPECT_EQ(total, 5u);
  EXPECT_EQ(h.count(), 5u);
  EXPECT_NEAR(h.sumSeconds(), 0.0001 + 0.0005 + 0.003 + 61, 1e-9);
}

}  // namespace
}  // namespace ts
