// The content check: the rules' hits on one message as one result, whose score is the
// sum of the hits' scores and whose reason names the rules, so `lookup` shows why.
#pragma once

#include "checks/content/content_config.h"
#include "checks/content/message_content.h"
#include "policy/check_result.h"

namespace ts {

class ContentCheck {
 public:
  explicit ContentCheck(const ContentConfig& config) : config_(config) {}
  bool enabled() const { return config_.rules && config_.rules->size() > 0; }
  // check "content": pass when no rule hits, else fail with the summed score, enhanced
  // code 5.7.1, a reason naming the strongest hits' descriptions and every hit in detail.
  CheckResult evaluate(const MessageContent& message) const;

 private:
  const ContentConfig& config_;
};

}  // namespace ts
