// Talk before the banner (postscreen's pregreet test): an SMTP client must wait for the
// 220 greeting (RFC 5321 section 3.1); spam engines that blast commands at once do not.
// The session holds the banner for greet_delay and tells this check whether the client
// spoke in that time.
#pragma once

#include <cstddef>

#include "checks/pregreet/pregreet_config.h"
#include "policy/check_result.h"

namespace ts {

class PregreetCheck {
 public:
  explicit PregreetCheck(const PregreetConfig& config) : config_(config) {}
  bool enabled() const { return config_.greet_delay.count() > 0 && config_.action != Action::kOff; }
  CheckResult evaluate(std::size_t bytes_before_banner) const;

 private:
  PregreetConfig config_;
};

}  // namespace ts
