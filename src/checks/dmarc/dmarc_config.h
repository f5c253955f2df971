// The DMARC check's configuration keys (STYLE.md 6), merged into the daemon's key table.
#pragma once

#include <chrono>
#include <span>

#include "policy/action.h"

namespace ts {

struct ConfigKey;

struct DmarcConfig {
  // What a DMARC failure leads to when the domain's policy (after pct= and sp=) is
  // reject, quarantine or none. New checks ship in observe mode.
  Action reject_action = Action::kObserve;
  Action quarantine_action = Action::kObserve;
  Action none_action = Action::kObserve;
  Action temperror_action = Action::kObserve;
  std::chrono::milliseconds timeout{10000};
};

std::span<const ConfigKey> dmarcConfigKeys();

}  // namespace ts
