// A duration lands in the first bucket whose bound it does not exceed, as Prometheus
// counts "le" (less than or equal).
#include "obs/latency_histogram.h"

#include <algorithm>

namespace ts {

void LatencyHistogram::observe(std::chrono::nanoseconds took) {
  double seconds =
      std::chrono::duration<double>(std::max(took, std::chrono::nanoseconds(0))).count();
  auto bucket = std::lower_bound(kBounds.begin(), kBounds.end(), seconds) - kBounds.begin();
  ++counts_[static_cast<std::size_t>(bucket)];
  ++count_;
  sum_seconds_ += seconds;
}

}  // namespace ts
