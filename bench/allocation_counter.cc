// The replacement operator new counts every allocation of the benchmark process; a
// LoopAllocations reads the count around one benchmark's timed loop.
#include "allocation_counter.h"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {

std::atomic<long long> allocations{0};

void* allocate(std::size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}

}  // namespace

void* operator new(std::size_t size) {
  return allocate(size);
}
void* operator new[](std::size_t size) {
  return allocate(size);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}

namespace ts::bench {

LoopAllocations::LoopAllocations(benchmark::State& state)
    : state_(state), start_(allocations.load(std::memory_order_relaxed)) {}

LoopAllocations::~LoopAllocations() {
  long long counted = allocations.load(std::memory_order_relaxed) - start_;
  state_.counters["allocs/iter"] =
      benchmark::Counter(static_cast<double>(counted), benchmark::Counter::kAvgIterations);
}

}  // namespace ts::bench
