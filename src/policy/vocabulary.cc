// Names of the shared vocabulary, for log lines, the decision log and config parsing.
#include "policy/action.h"
#include "policy/check_result.h"
#include "policy/verdict.h"

#include <array>
#include <utility>

namespace ts {

std::string_view outcomeName(Outcome o) {
  switch (o) {
    case Outcome::kPass:
      return "pass";
    case Outcome::kNeutral:
      return "neutral";
    case Outcome::kSoftfail:
      return "softfail";
    case Outcome::kFail:
      return "fail";
    case Outcome::kTempError:
      return "temperror";
    case Outcome::kPermError:
      return "permerror";
    case Outcome::kNone:
      return "none";
  }
  return "none";
}

namespace {
constexpr std::array<std::pair<Action, std::string_view>, 6> kActionNames{{
    {Action::kOff, "off"},
    {Action::kObserve, "observe"},
    {Action::kScore, "score"},
    {Action::kTempfail, "tempfail"},
    {Action::kReject, "reject"},
    {Action::kQuarantine, "quarantine"},
}};
}  // namespace

std::string_view actionName(Action a) {
  for (const auto& [action, name] : kActionNames) {
    if (action == a) return name;
  }
  return "off";
}

std::optional<Action> parseAction(std::string_view text) {
  for (const auto& [action, name] : kActionNames) {
    if (name == text) return action;
  }
  return std::nullopt;
}

OutcomeActions OutcomeActions::uniform(Action failure, Action temporary) {
  OutcomeActions a;
  a.fail = a.softfail = a.permerror = failure;
  a.temperror = temporary;
  return a;
}

Action OutcomeActions::forOutcome(Outcome outcome) const {
  switch (outcome) {
    case Outcome::kPass:
      return Action::kOff;
    case Outcome::kFail:
      return fail;
    case Outcome::kSoftfail:
      return softfail;
    case Outcome::kPermError:
      return permerror;
    case Outcome::kNeutral:
      return neutral;
    case Outcome::kNone:
      return none;
    case Outcome::kTempError:
      return temperror;
  }
  return Action::kOff;
}

std::string_view verdictName(Verdict v) {
  switch (v) {
    case Verdict::kContinue:
      return "continue";
    case Verdict::kAccept:
      return "accept";
    case Verdict::kTempFail:
      return "tempfail";
    case Verdict::kReject:
      return "reject";
    case Verdict::kRejectDisconnect:
      return "reject-disconnect";
    case Verdict::kQuarantine:
      return "quarantine";
  }
  return "continue";
}

}  // namespace ts
