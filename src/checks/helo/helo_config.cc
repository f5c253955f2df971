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
    ConfigKey{"helo_action", "observe", "action",
              "What a bad HELO/EHLO name (syntax, or a name that does not resolve) leads to: off, "
              "observe, score, tempfail, reject, quarantine.",
              false, setAction},
    ConfigKey{"helo_score", "3", "score",
              "Score a bad HELO/EHLO name adds when helo_action = score.", false, setScore},
    ConfigKey{"helo_temperror_action", "observe", "action",
              "What a DNS fault while resolving the HELO name leads to: observe (fail-open) or "
              "tempfail (fail-closed).",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignTemperrorAction(c.helo.temperror_action, v);
              }},
    ConfigKey{"helo_timeout", "10s", "duration",
              "Deadline of the HELO check's DNS lookups (the name must have an A, AAAA or MX "
              "record).",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignDeadline(c.helo.timeout, v);
              }},
};

}  // namespace

std::span<const ConfigKey> heloConfigKeys() {
  return kKeys;
}

}  // namespace ts
