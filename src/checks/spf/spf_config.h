// The SPF check's configuration keys (STYLE.md 6): an action and a score for each SPF
// result, merged into the daemon's key table.
#pragma once

#include <chrono>
#include <span>

#include "policy/action.h"

namespace ts {

struct ConfigKey;

struct SpfConfig {
  // fail, softfail, permerror, temperror (observe or tempfail only); neutral and none
  // carry no action. New checks ship in observe mode.
  OutcomeActions actions;
  // As the key table's defaults.
  double fail_score = 5;
  double softfail_score = 2;
  double permerror_score = 2;
  std::chrono::milliseconds timeout{10000};
};

std::span<const ConfigKey> spfConfigKeys();

}  // namespace ts
