// Severity order: reject, quarantine, tempfail, then the score total. The strongest
// proposal decides, so an observed check can never refuse anything.
#include "policy/decision.h"

namespace ts {
namespace {

int severity(Verdict v) {
  switch (v) {
    case Verdict::kReject:
      return 4;
    case Verdict::kQuarantine:
      return 3;
    case Verdict::kTempFail:
      return 2;
    default:
      return 0;
  }
}

Verdict proposedVerdict(const Proposal& p) {
  if (p.result.outcome == Outcome::kPass) return Verdict::kContinue;
  if (isTemporary(p.result.outcome)) {
    return p.action == Action::kOff || p.action == Action::kObserve ? Verdict::kContinue
                                                                    : Verdict::kTempFail;
  }
  switch (p.action) {
    case Action::kReject:
      return Verdict::kReject;
    case Action::kQuarantine:
      return Verdict::kQuarantine;
    case Action::kTempfail:
      return Verdict::kTempFail;
    default:
      return Verdict::kContinue;
  }
}

}  // namespace

Decision DecisionPolicy::decide(Stage stage, std::span<const Proposal> proposals) const {
  Decision d;
  const Proposal* top_scorer = nullptr;
  for (const Proposal& p : proposals) {
    // A temporary fault scores nothing: no pile of DNS timeouts can add up to a reject.
    if (p.action == Action::kScore && !isTemporary(p.result.outcome)) {
      d.score += p.result.score;
      if (p.result.score > 0 && (!top_scorer || p.result.score > top_scorer->result.score)) {
        top_scorer = &p;
      }
    }
    Verdict v = proposedVerdict(p);
    if (severity(v) > severity(d.verdict)) {
      d.verdict = v;
      d.deciding = &p;
    }
  }
  if (severity(d.verdict) < severity(Verdict::kReject) && top_scorer && d.score >= reject_score_) {
    d.verdict = Verdict::kReject;
    d.deciding = top_scorer;
  }
  if (d.verdict == Verdict::kContinue && stage == Stage::kEndOfData) d.verdict = Verdict::kAccept;
  return d;
}

}  // namespace ts
