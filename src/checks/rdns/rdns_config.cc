// Many legitimate small senders (a library's old mail server, a dispatch office) have no
// PTR; the check starts in observe mode so an operator sees that before refusing anyone.
#include "checks/rdns/rdns_config.h"

#include <array>

#include "config/config_table.h"
#include "config/key_setters.h"

namespace ts {
namespace {

constexpr std::array kKeys = {
    ConfigKey{"rdns_action", "observe", "action",
              "What a client without forward-confirmed reverse DNS (FCrDNS) leads to: off, "
              "observe, score, tempfail, reject, quarantine.",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignAction(c.rdns.action, v);
              }},
    ConfigKey{
        "rdns_score", "3", "score", "Score a client without FCrDNS adds when rdns_action = score.",
        false,
        [](Config& c, const std::vector<std::string>& v) { return assignScore(c.rdns.score, v); }},
    ConfigKey{"rdns_temperror_action", "observe", "action",
              "What a DNS fault during the reverse DNS check leads to: observe (fail-open) or "
              "tempfail (fail-closed).",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignTemperrorAction(c.rdns.temperror_action, v);
              }},
    ConfigKey{"rdns_timeout", "10s", "duration",
              "Deadline of the reverse DNS check (PTR and forward lookups together).", false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignDeadline(c.rdns.timeout, v);
              }},
};

}  // namespace

std::span<const ConfigKey> rdnsConfigKeys() {
  return kKeys;
}

}  // namespace ts
