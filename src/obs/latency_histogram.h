// How long something took, as counts in fixed buckets: the check latencies that the
// metrics endpoint serves as Prometheus histograms. Fixed bounds keep it a few counters
// however much traffic passes, and let every check's histogram be summed with the others.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <span>

namespace ts {

class LatencyHistogram {
 public:
  // Upper bounds in seconds, inclusive (Prometheus's "le"): from a cached answer to a
  // network check's longest allowed deadline (60 s).
  static constexpr std::array<double, 15> kBounds = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60};

  void observe(std::chrono::nanoseconds took);
  // One count per bound, each for its own bucket only (not cumulative), then one for the
  // durations above the highest bound.
  std::span<const std::uint64_t> counts() const { return counts_; }
  std::uint64_t count() const { return count_; }
  double sumSeconds() const { return sum_seconds_; }

 private:
  std::array<std::uint64_t, kBounds.size() + 1> counts_{};
  std::uint64_t count_ = 0;
  double sum_seconds_ = 0;
};

}  // namespace ts
