// The content check's configuration keys (STYLE.md 6).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "checks/content/rule_set.h"
#include "policy/action.h"

namespace ts {

struct ConfigKey;

struct ContentConfig {
  std::vector<std::string> rule_files;   // empty: no content rules
  std::shared_ptr<const RuleSet> rules;  // compiled from rule_files when the config loads
  Action action = Action::kScore;        // what a message whose rules hit leads to
};

std::span<const ConfigKey> contentConfigKeys();

}  // namespace ts
