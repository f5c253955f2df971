// The DKIM check's configuration keys (STYLE.md 6), merged into the daemon's key table.
#pragma once

#include <chrono>
#include <span>

#include "policy/action.h"

namespace ts {

struct ConfigKey;

struct DkimConfig {
  // fail (no signature verifies), permerror (broken signatures only), temperror (key
  // lookup fault). A message without signatures is none: no action. Mailing lists break
  // signatures every day, so failing DKIM alone is observed by default.
  OutcomeActions actions{.fail = Action::kObserve,
                         .softfail = Action::kOff,
                         .permerror = Action::kObserve,
                         .neutral = Action::kOff,
                         .none = Action::kOff,
                         .temperror = Action::kObserve};
  double fail_score = 3;
  std::chrono::milliseconds timeout{10000};
  unsigned max_signatures = 5;  // more are not verified (each costs a key lookup)
};

std::span<const ConfigKey> dkimConfigKeys();

}  // namespace ts
