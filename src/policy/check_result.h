// The one vocabulary every check answers in (DESIGN.md "One vocabulary"): an outcome,
// a score, the reason the sender's admin reads, an enhanced status code and a cache TTL.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace ts {

enum class Outcome { kPass, kNeutral, kSoftfail, kFail, kTempError, kPermError, kNone };

std::string_view outcomeName(Outcome o);

// Temporary outcomes may only be observed (fail-open) or tempfailed (fail-closed).
constexpr bool isTemporary(Outcome o) {
  return o == Outcome::kTempError;
}

struct CheckResult {
  std::string check;  // the check's name, e.g. "recipient"
  Outcome outcome = Outcome::kNone;
  double score = 0;
  std::string reason;    // plain words for the sender's admin
  std::string enhanced;  // RFC 3463 code, e.g. "5.7.1"
  std::chrono::seconds ttl{0};
  // What the check found, for the log line and `lookup` (the PTR names, each list's
  // answer); never shown to the client.
  std::string detail;
  // Answers the check could not use, e.g. a DNS list's "query refused" code: counted and
  // logged, never a verdict.
  unsigned errors = 0;
};

}  // namespace ts
