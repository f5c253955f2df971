// The HELO check's configuration keys (STYLE.md 6): declared here, next to the check, and
// merged into the daemon's one key table.
#pragma once

#include <chrono>
#include <span>

#include "policy/action.h"

namespace ts {

struct ConfigKey;

struct HeloConfig {
  Action action = Action::kObserve;  // a new check ships in observe mode
  double score = 0;
  Action temperror_action = Action::kObserve;  // a DNS fault while resolving the name
  std::chrono::milliseconds timeout{10000};
};

std::span<const ConfigKey> heloConfigKeys();

}  // namespace ts
