// The HELO check's keys. Its action starts at observe: logged and counted, nothing refused,
// until the operator has seen what it would do.
#include "checks/helo/helo_config.h"

#include <array>

#include "config/config_table.h"
#include "config/key_setters.h"

namespace ts {
namespace {

Status<> setAction(Config& c, const std::vector<std::string>& values) {
  return assignAction(c.helo.action, values);
}

Status<> setScore(Config& c, const std::vector<std::string>& values) {
  return assignScore(c.helo.score, values);
}

constexpr std::array kKeys = {
    ConfigKey{
        "helo_action", "observe", "action",
        "What a bad HELO/EHLO name leads to: off, observe, score, tempfail, reject, quarantine.",
        false, setAction},
    ConfigKey{"helo_score", "3", "score",
              "Score a bad HELO/EHLO name adds when helo_action = score.", false, setScore},
};

}  // namespace

std::span<const ConfigKey> heloConfigKeys() {
  return kKeys;
}

}  // namespace ts
