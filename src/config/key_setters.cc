// Kept apart from the core table so a check's config file needs only this header.
#include "config/key_setters.h"

#include <fmt/format.h>

#include "config/value_parsers.h"
#include "util/ascii.h"

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

Status<> assignText(std::string& out, const std::vector<std::string>& values) {
  auto v = singleValue(values);
  if (!v) return fail(v.error());
  out = *v;
  return Ok{};
}

Status<> assignOptionalAddress(std::optional<SocketAddress>& out,
                               const std::vector<std::string>& values) {
  auto v = singleValue(values);
  if (!v) return fail(v.error());
  if (v->empty()) {
    out.reset();
    return Ok{};
  }
  auto a = SocketAddress::parse(*v);
  if (!a) return fail(a.error());
  out = *a;
  return Ok{};
}

Status<> assignYesNo(bool& out, const std::vector<std::string>& values) {
  auto v = singleValue(values);
  if (!v) return fail(v.error());
  std::string word = asciiLower(*v);
  if (word == "yes" || word == "true" || word == "on") {
    out = true;
  } else if (word == "no" || word == "false" || word == "off") {
    out = false;
  } else {
    return fail("'" + *v + "' is not yes or no");
  }
  return Ok{};
}

namespace {

// "90s", "10m", "30d": a bound in the units the key is written in.
std::string compactSpan(std::chrono::seconds d) {
  struct Unit {
    long long seconds;
    char suffix;
  };
  for (Unit u : {Unit{86400, 'd'}, Unit{3600, 'h'}, Unit{60, 'm'}}) {
    if (d.count() > 0 && d.count() % u.seconds == 0) {
      return fmt::format("{}{}", d.count() / u.seconds, u.suffix);
    }
  }
  return fmt::format("{}s", d.count());
}

}  // namespace

Status<> assignSeconds(std::chrono::seconds& out, const std::vector<std::string>& values,
                       std::chrono::seconds min, std::chrono::seconds max) {
  auto v = singleValue(values);
  if (!v) return fail(v.error());
  auto d = parseDuration(*v);
  if (!d) return fail(d.error());
  if (d->count() % 1000 != 0 || *d < min || *d > max) {
    return fail(fmt::format("'{}' must be whole seconds, from {} to {} (e.g. 30s, 10m, 1h)", *v,
                            compactSpan(min), compactSpan(max)));
  }
  out = std::chrono::duration_cast<std::chrono::seconds>(*d);
  return Ok{};
}

Result<std::uint64_t> countWithin(const std::vector<std::string>& values, std::uint64_t min,
                                  std::uint64_t max) {
  auto v = singleValue(values);
  if (!v) return fail(v.error());
  auto n = parseCount(*v);
  if (!n) return fail(n.error());
  if (*n < min || *n > max) {
    return fail(fmt::format("'{}' must be a whole number from {} to {}", *v, min, max));
  }
  return *n;
}

}  // namespace ts
