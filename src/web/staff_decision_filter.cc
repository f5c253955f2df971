// The domain is checked like `textscreenctl lookup --domain`, and an action must be one
// the decision log records, so a typo says so instead of matching nothing.
#include "web/staff_decision_filter.h"

#include <fmt/format.h>

#include <array>
#include <string_view>

#include "store/decision_log.h"
#include "util/ascii.h"
#include "util/input_checks.h"

namespace ts {
namespace {

constexpr std::array<std::string_view, 5> kActions = {"relay", "reject", "tempfail", "quarantine",
                                                      "abandoned"};
constexpr std::size_t kMaxReasonText = 200;

}  // namespace

bool DecisionFilter::matches(const store::DecisionRecord& record) const {
  if (!domain.empty() && store::domainOf(record.mail_from) != domain) return false;
  if (!action.empty() && record.action != action) return false;
  return reason.empty() || asciiLower(record.reason).find(reason) != std::string::npos;
}

Result<DecisionFilter> parseDecisionFilter(const FormFields& query) {
  DecisionFilter filter;
  if (std::string domain = fieldValue(query, "domain"); !domain.empty()) {
    auto normalised = normaliseDomain(domain);
    if (!normalised) return fail(normalised.error().message);
    filter.domain = std::move(*normalised);
  }
  filter.action = fieldValue(query, "action");
  if (!filter.action.empty()) {
    bool known = false;
    for (std::string_view a : kActions) known = known || a == filter.action;
    if (!known) {
      return fail(
          fmt::format("'{}' is not an action; use relay, reject, tempfail, quarantine or "
                      "abandoned",
                      filter.action));
    }
  }
  filter.reason = asciiLower(fieldValue(query, "reason"));
  if (filter.reason.size() > kMaxReasonText) {
    return fail(fmt::format("the reason text is longer than {} characters", kMaxReasonText));
  }
  return filter;
}

}  // namespace ts
