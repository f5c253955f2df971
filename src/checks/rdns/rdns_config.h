// The reverse DNS check's configuration keys (STYLE.md 6), merged into the daemon's table.
#pragma once

#include <chrono>
#include <span>

#include "policy/action.h"

namespace ts {

struct ConfigKey;

struct RdnsConfig {
  Action action = Action::kObserve;  // a new check ships in observe mode
  double score = 0;
  Action temperror_action = Action::kObserve;  // fail-open unless the operator says otherwise
  std::chrono::milliseconds timeout{10000};
};

std::span<const ConfigKey> rdnsConfigKeys();

}  // namespace ts
