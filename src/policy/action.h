// What a check's configured action makes of a non-pass outcome.
#pragma once

#include <optional>
#include <string_view>

#include "policy/check_result.h"

namespace ts {

enum class Action { kOff, kObserve, kScore, kTempfail, kReject, kQuarantine };

std::string_view actionName(Action a);

// What each non-pass outcome of one check leads to. Most checks have one action for every
// failure and one for temporary faults; SPF sets each of its results apart.
struct OutcomeActions {
  Action fail = Action::kObserve;
  Action softfail = Action::kObserve;
  Action permerror = Action::kObserve;
  Action neutral = Action::kOff;
  Action none = Action::kOff;
  Action temperror = Action::kObserve;  // observe or tempfail only (invariant 3)

  static OutcomeActions uniform(Action failure, Action temporary);
  Action forOutcome(Outcome outcome) const;
};
std::optional<Action> parseAction(std::string_view name);

}  // namespace ts
