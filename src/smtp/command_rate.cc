// The window restarts with the first command after it ran out, so an idle client starts
// each burst with the full allowance.
#include "smtp/command_rate.h"

namespace ts::smtp {

bool CommandRate::note(Clock::time_point now) {
  if (limit_ == 0) return true;
  if (count_ == 0 || now - window_start_ >= kWindow || now < window_start_) {
    window_start_ = now;
    count_ = 0;
  }
  return ++count_ <= limit_;
}

}  // namespace ts::smtp
