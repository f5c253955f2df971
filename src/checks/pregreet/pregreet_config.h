// The pregreet check's configuration keys (STYLE.md 6), merged into the daemon's key table.
#pragma once

#include <chrono>
#include <span>

#include "policy/action.h"

namespace ts {

struct ConfigKey;

struct PregreetConfig {
  std::chrono::milliseconds greet_delay{0};  // 0: no delay, so no pregreet test
  Action action = Action::kObserve;          // a new check ships in observe mode
  double score = 0;
};

std::span<const ConfigKey> pregreetConfigKeys();

}  // namespace ts
