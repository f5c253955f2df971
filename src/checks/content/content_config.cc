// The content check's keys. The rule files are compiled when the configuration loads, so a
// bad rule fails the load (or the reload, which keeps the running rules) with file:line.
#include "checks/content/content_config.h"

#include <array>

#include "config/config_table.h"
#include "config/key_setters.h"
#include "config/value_parsers.h"

namespace ts {
namespace {

Status<> setRules(Config& c, const std::vector<std::string>& values) {
  c.content.rule_files = splitList(values);
  c.content.rules.reset();
  if (c.content.rule_files.empty()) return Ok{};
  auto rules = RuleSet::load(c.content.rule_files);
  if (!rules) return fail(rules.error().message);
  c.content.rules = std::move(*rules);
  return Ok{};
}

Status<> setAction(Config& c, const std::vector<std::string>& values) {
  return assignAction(c.content.action, values);
}

constexpr std::array kKeys = {
    ConfigKey{"content_rules", "", "list",
              "Content rule files (doc/rules.md), read in order, e.g. "
              "/usr/share/textscreen/textscreen.rules; a bad rule fails the load naming its "
              "file:line. Empty: the content check is off.",
              true, setRules},
    ConfigKey{"content_action", "score", "action",
              "What a message whose content rules hit leads to: off, observe, score (the hits' "
              "summed score counts toward reject_score), tempfail, reject, quarantine.",
              false, setAction},
};

}  // namespace

std::span<const ConfigKey> contentConfigKeys() {
  return kKeys;
}

}  // namespace ts
