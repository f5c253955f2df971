// greet_delay is off (0) by default: holding every banner costs each client that time.
#include "checks/pregreet/pregreet_config.h"

#include <array>

#include "config/config_table.h"
#include "config/key_setters.h"
#include "config/value_parsers.h"

namespace ts {
namespace {

Status<> setDelay(Config& c, const std::vector<std::string>& values) {
  auto v = singleValue(values);
  if (!v) return fail(v.error());
  auto d = parseDuration(*v);
  if (!d) return fail(d.error());
  if (*d > std::chrono::seconds(30)) return fail(std::string("must be 30s or less"));
  c.pregreet.greet_delay = *d;
  return Ok{};
}

Status<> setAction(Config& c, const std::vector<std::string>& values) {
  return assignAction(c.pregreet.action, values);
}

Status<> setScore(Config& c, const std::vector<std::string>& values) {
  return assignScore(c.pregreet.score, values);
}

constexpr std::array kKeys = {
    ConfigKey{"greet_delay", "0", "duration",
              "How long the 220 banner is held to catch clients that talk first; 0 turns the "
              "pregreet test off.",
              false, setDelay},
    ConfigKey{"pregreet_action", "observe", "action",
              "What talking before the banner leads to: off, observe, score, tempfail, reject, "
              "quarantine.",
              false, setAction},
    ConfigKey{"pregreet_score", "5", "score",
              "Score talking before the banner adds when pregreet_action = score.", false,
              setScore},
};

}  // namespace

std::span<const ConfigKey> pregreetConfigKeys() {
  return kKeys;
}

}  // namespace ts
