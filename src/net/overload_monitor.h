// Overload mode: while every connection slot is taken, new clients hear 421 4.3.2 and are
// closed at once. This tells the operator when a spell of overload began and ended, in
// a few log lines however many clients were refused, and counts it for `status`.
#pragma once

#include <cstdint>

namespace ts {

class OverloadMonitor {
 public:
  // A client was refused because the server is full. True when this begins a spell: the
  // caller logs it and starts calling review() at a steady interval.
  bool refused();
  struct Review {
    bool ended;                    // a whole interval passed without a refusal
    std::uint64_t refused_recent;  // refusals since the previous review
    std::uint64_t refused_spell;   // refusals since the spell began
  };
  // Once per interval while active().
  Review review();

  bool active() const { return active_; }
  std::uint64_t spells() const { return spells_; }
  std::uint64_t refusedTotal() const { return refused_total_; }

 private:
  bool active_ = false;
  std::uint64_t spells_ = 0;
  std::uint64_t refused_total_ = 0;
  std::uint64_t refused_spell_ = 0;
  std::uint64_t refused_recent_ = 0;
};

}  // namespace ts
