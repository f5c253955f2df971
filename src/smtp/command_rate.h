// A per-connection bound on commands per minute, so a client cannot keep the loop busy
// with a stream of NOOPs or RSETs (postscreen and smtpd bound commands per session the
// same way). A fixed window: one counter and the time it started, nothing per command.
#pragma once

#include <chrono>

namespace ts::smtp {

class CommandRate {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds kWindow{60};

  // limit 0: no limit.
  explicit CommandRate(unsigned limit) : limit_(limit) {}

  // Counts one command; false when it is over the limit for the current minute.
  bool note(Clock::time_point now);
  unsigned count() const { return count_; }
  unsigned limit() const { return limit_; }

 private:
  unsigned limit_;
  unsigned count_ = 0;
  Clock::time_point window_start_{};
};

}  // namespace ts::smtp
