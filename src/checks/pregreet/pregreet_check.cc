// The reason names the fix: the sending software must wait for the greeting.
#include "checks/pregreet/pregreet_check.h"

#include <fmt/format.h>

namespace ts {

CheckResult PregreetCheck::evaluate(std::size_t bytes_before_banner) const {
  CheckResult r;
  r.check = "pregreet";
  if (bytes_before_banner == 0) {
    r.outcome = Outcome::kPass;
    return r;
  }
  r.outcome = Outcome::kFail;
  r.score = config_.score;
  r.enhanced = "5.5.1";
  r.reason = fmt::format(
      "Protocol error: your client sent {} bytes before the 220 greeting; SMTP clients must "
      "wait for the greeting (RFC 5321 section 3.1), fix the sending software",
      bytes_before_banner);
  return r;
}

}  // namespace ts
