// A hand-driven clock for the counter, rate and penalty tests: time moves only when a test
// says so, so retry times and window edges can be checked to the second.
#pragma once

#include <chrono>
#include <functional>

namespace ts::testing {

class FakeClock {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  // 2024-05-02 13:53:00 UTC: a fixed start makes the UTC times in reasons predictable.
  TimePoint now = std::chrono::system_clock::from_time_t(1714657980);

  std::function<TimePoint()> fn() {
    return [this] { return now; };
  }
  void advance(std::chrono::system_clock::duration d) { now += d; }
};

}  // namespace ts::testing
