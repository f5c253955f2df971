// The sender domain check's configuration keys (STYLE.md 6).
#pragma once

#include <chrono>
#include <span>

#include "policy/action.h"

namespace ts {

struct ConfigKey;

struct SenderDomainConfig {
  Action action = Action::kObserve;  // a new check ships in observe mode
  double score = 0;
  Action temperror_action = Action::kObserve;
  std::chrono::milliseconds timeout{10000};
};

std::span<const ConfigKey> senderDomainConfigKeys();

}  // namespace ts
