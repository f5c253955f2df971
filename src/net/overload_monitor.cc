// A spell ends only after a quiet interval, so a server hovering at its limit logs one
// spell, not one line per client that found it full.
#include "net/overload_monitor.h"

namespace ts {

bool OverloadMonitor::refused() {
  ++refused_total_;
  ++refused_recent_;
  ++refused_spell_;
  if (active_) return false;
  active_ = true;
  ++spells_;
  return true;
}

OverloadMonitor::Review OverloadMonitor::review() {
  Review r{refused_recent_ == 0, refused_recent_, refused_spell_};
  refused_recent_ = 0;
  if (r.ended) {
    active_ = false;
    refused_spell_ = 0;
  }
  return r;
}

}  // namespace ts
