// The shape of every network check (STYLE.md 2): start it with the client's narrow context,
// a Resolver and a callback; it answers one CheckResult. The returned CheckRun owns the
// check's outstanding lookups: destroying it cancels them, so a session that goes away is
// never called back.
#pragma once

#include <functional>
#include <memory>

#include "policy/check_result.h"

namespace ts {

using CheckDone = std::function<void(CheckResult)>;

class CheckRun {
 public:
  virtual ~CheckRun() = default;
};

// For a check that knew its answer without asking DNS: nothing to cancel.
class FinishedRun final : public CheckRun {};

}  // namespace ts
