// Combines the proposals of a stage's checks into one Verdict (DESIGN.md "One vocabulary").
// A temporary outcome can never become a reject here, whatever the config says (invariant 3).
#pragma once

#include <span>

#include "policy/action.h"
#include "policy/check_result.h"
#include "policy/verdict.h"

namespace ts {

struct Proposal {
  CheckResult result;
  Action action = Action::kObserve;
};

struct Decision {
  Verdict verdict = Verdict::kContinue;
  double score = 0;
  // The proposal that decided a refusal or quarantine; null when nothing refused.
  const Proposal* deciding = nullptr;
};

enum class Stage { kConnect, kHelo, kMail, kRcpt, kEndOfData };

class DecisionPolicy {
 public:
  explicit DecisionPolicy(double reject_score) : reject_score_(reject_score) {}
  Decision decide(Stage stage, std::span<const Proposal> proposals) const;

 private:
  double reject_score_;
};

}  // namespace ts
