// SPF's keys: each SPF result has its own action and score, because operators treat a
// hard fail, a softfail (~all, "we are still testing") and a broken record differently.
// Everything starts in observe mode: the results are logged before anyone is refused.
#include "checks/spf/spf_config.h"

#include <array>

#include "config/config_table.h"
#include "config/key_setters.h"

namespace ts {
namespace {

constexpr std::array kKeys = {
    ConfigKey{"spf_fail_action", "observe", "action",
              "What an SPF fail (the sender's domain does not permit the client, -all) leads to: "
              "off, observe, score, tempfail, reject, quarantine.",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignAction(c.spf.actions.fail, v);
              }},
    ConfigKey{"spf_softfail_action", "observe", "action",
              "What an SPF softfail (the domain's record ends ~all) leads to: off, observe, "
              "score, tempfail, reject, quarantine.",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignAction(c.spf.actions.softfail, v);
              }},
    ConfigKey{"spf_permerror_action", "observe", "action",
              "What a broken SPF record (syntax error, more than 10 DNS lookups) leads to: off, "
              "observe, score, tempfail, reject, quarantine.",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignAction(c.spf.actions.permerror, v);
              }},
    ConfigKey{"spf_temperror_action", "observe", "action",
              "What a DNS fault during the SPF check leads to: observe (fail-open) or tempfail "
              "(fail-closed).",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignTemperrorAction(c.spf.actions.temperror, v);
              }},
    ConfigKey{"spf_fail_score", "5", "score",
              "Score an SPF fail adds when spf_fail_action = score.", false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignScore(c.spf.fail_score, v);
              }},
    ConfigKey{"spf_softfail_score", "2", "score",
              "Score an SPF softfail adds when spf_softfail_action = score.", false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignScore(c.spf.softfail_score, v);
              }},
    ConfigKey{"spf_permerror_score", "2", "score",
              "Score a broken SPF record adds when spf_permerror_action = score.", false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignScore(c.spf.permerror_score, v);
              }},
    ConfigKey{"spf_timeout", "10s", "duration",
              "Deadline of the SPF check (all its DNS lookups together).", false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignDeadline(c.spf.timeout, v);
              }},
};

}  // namespace

std::span<const ConfigKey> spfConfigKeys() {
  return kKeys;
}

}  // namespace ts
