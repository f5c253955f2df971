// What the decisions page is asked to show: a sender domain, an action and a piece of the
// reason, each optional. Parsed from the query once, so a bad value is an error on the
// page rather than an empty listing.
#pragma once

#include <string>

#include "store/records.h"
#include "util/result.h"
#include "web/http_exchange.h"

namespace ts {

struct DecisionFilter {
  std::string domain;  // normalised sender domain; "" for any
  std::string action;  // relay, reject, tempfail, quarantine, abandoned; "" for any
  std::string reason;  // lower case, found anywhere in the reason (any case); "" for any

  bool matches(const store::DecisionRecord& record) const;
};

// ?domain=&action=&reason= of the decisions page; the error names the field and what
// would be right.
Result<DecisionFilter> parseDecisionFilter(const FormFields& query);

}  // namespace ts
