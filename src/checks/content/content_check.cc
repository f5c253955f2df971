// Turns the rules' hits into the content check's one result. The reason names only the
// rules' descriptions, never the message, because it goes back to the sender in the reply.
#include "checks/content/content_check.h"

#include <fmt/format.h>

#include <algorithm>

namespace ts {

CheckResult ContentCheck::evaluate(const MessageContent& message) const {
  CheckResult r;
  r.check = "content";
  r.outcome = Outcome::kPass;
  if (!config_.rules) return r;
  std::vector<RuleHit> hits = config_.rules->evaluate(message);
  if (hits.empty()) return r;
  double total = 0;
  for (const RuleHit& hit : hits) {
    // `lookup` shows the detail: every hit with what it means, for the operator.
    if (!r.detail.empty()) r.detail += "; ";
    r.detail += fmt::format("{}={} ({})", hit.name, hit.score, hit.description);
    total += hit.score;
  }
  r.score = total;
  // Rules with negative scores mark wanted mail: a net score of 0 or below is no spam sign.
  if (total <= 0) return r;
  r.outcome = Outcome::kFail;
  r.enhanced = "5.7.1";
  // The strongest two hits are enough for the sender's admin to find what to change.
  std::stable_sort(hits.begin(), hits.end(),
                   [](const RuleHit& a, const RuleHit& b) { return a.score > b.score; });
  std::string signs = hits[0].description;
  if (hits.size() > 1 && hits[1].score > 0) signs += "; " + hits[1].description;
  r.reason = fmt::format(
      "Message content looks like bulk spam ({}); if this is a legitimate alert, take that "
      "out of the message or ask the gateway operator to allowlist your domain",
      signs);
  return r;
}

}  // namespace ts
