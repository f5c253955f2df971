// What a check's configured action makes of a non-pass outcome.
#pragma once

#include <optional>
#include <string_view>

namespace ts {

enum class Action { kOff, kObserve, kScore, kTempfail, kReject, kQuarantine };

std::string_view actionName(Action a);
std::optional<Action> parseAction(std::string_view name);

}  // namespace ts
