// Counts heap allocations for the micro benchmarks (issue 8: no per-message heap churn on
// the hot path). Declared after a benchmark's setup, a LoopAllocations reports the
// allocations of the timed loop alone as the counter "allocs/iter".
#pragma once

#include <benchmark/benchmark.h>

namespace ts::bench {

class LoopAllocations {
 public:
  explicit LoopAllocations(benchmark::State& state);
  ~LoopAllocations();
  LoopAllocations(const LoopAllocations&) = delete;
  LoopAllocations& operator=(const LoopAllocations&) = delete;

 private:
  benchmark::State& state_;
  long long start_;
};

}  // namespace ts::bench
