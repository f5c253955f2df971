// Header compliance (RFC 5322): each problem is its own result with its own reason and
// enhanced code, so the sender's admin reads exactly what to fix. Reads the raw header
// section: line lengths and 8-bit bytes are only visible there.
#pragma once

#include <chrono>
#include <string_view>
#include <vector>

#include "checks/headers/header_config.h"
#include "policy/check_result.h"

namespace ts {

class HeaderCheck {
 public:
  explicit HeaderCheck(const HeaderConfig& config) : config_(config) {}

  // Checks, each a CheckResult with outcome fail when the problem is found:
  //   "header_date"        Date missing or unreadable              (5.6.0)
  //   "header_date_range"  Date older than max_age / beyond future (5.7.1; date_action)
  //   "header_message_id"  Message-ID missing-is-fine, but present and not RFC 5322 msg-id (5.6.0)
  //   "header_from"        no From, or more than one               (5.6.0)
  //   "header_8bit"        bytes >= 0x80 in headers without SMTPUTF8 (5.6.7)
  //   "header_line_length" a header line longer than max_line_length (5.6.0)
  // Empty when the header section is compliant. Scores come from the config.
  std::vector<CheckResult> evaluate(std::string_view raw_message, bool smtputf8,
                                    std::chrono::system_clock::time_point now) const;

 private:
  const HeaderConfig& config_;
};

}  // namespace ts
