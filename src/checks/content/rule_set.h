// The content rules (doc/rules.md), compiled once when the configuration is loaded. A bad
// rule file is refused with file:line, and the daemon keeps its previous configuration.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "checks/content/message_content.h"
#include "util/result.h"

namespace ts {

struct RuleHit {
  std::string name;
  double score = 0;
  std::string description;  // plain words, shown in lookup and in a refusal
};

class RuleSet {
 public:
  virtual ~RuleSet() = default;
  // Reads and compiles the files, in order; a rule name may appear only once overall.
  static Result<std::shared_ptr<const RuleSet>> load(const std::vector<std::string>& paths);
  // The same from text; `origin` names it in errors ("rules.cf:12: ...").
  static Result<std::shared_ptr<const RuleSet>> parse(std::string_view text,
                                                      std::string_view origin);

  // Every rule that matches, in the order of the files.
  virtual std::vector<RuleHit> evaluate(const MessageContent& message) const = 0;
  virtual std::size_t size() const = 0;
};

}  // namespace ts
