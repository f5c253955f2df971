// Kept apart from the core table so a check's config file needs only this header.
#include "config/key_setters.h"

#include "config/value_parsers.h"

namespace ts {

Result<std::string> singleValue(const std::vector<std::string>& values) {
  if (values.size() != 1) return fail(std::string("given more than once"));
  return values.front();
}

Status<> assignAction(Action& out, const std::vector<std::string>& values) {
  auto v = singleValue(values);
  if (!v) return fail(v.error());
  auto action = parseAction(*v);
  if (!action) {
    return fail("'" + *v +
                "' is not an action (off, observe, score, tempfail, reject, quarantine)");
  }
  out = *action;
  return Ok{};
}

Status<> assignScore(double& out, const std::vector<std::string>& values) {
  auto v = singleValue(values);
  if (!v) return fail(v.error());
  auto n = parseNumber(*v);
  if (!n) return fail(n.error());
  out = *n;
  return Ok{};
}

Status<> assignTemperrorAction(Action& out, const std::vector<std::string>& values) {
  Action action = Action::kObserve;
  auto set = assignAction(action, values);
  if (!set) return set;
  if (action != Action::kObserve && action != Action::kTempfail) {
    return fail("'" + std::string(actionName(action)) +
                "' is not allowed for a temporary fault: use observe (fail-open) or tempfail "
                "(fail-closed); a DNS outage must never refuse mail");
  }
  out = action;
  return Ok{};
}

Status<> assignDeadline(std::chrono::milliseconds& out, const std::vector<std::string>& values) {
  auto v = singleValue(values);
  if (!v) return fail(v.error());
  auto d = parseDuration(*v);
  if (!d) return fail(d.error());
  if (d->count() == 0 || *d > std::chrono::seconds(60)) {
    return fail(std::string("must be above 0 and at most 60s"));
  }
  out = *d;
  return Ok{};
}

}  // namespace ts
