// DMARC's actions follow the policy the domain published (after sp= and pct=), so an
// operator can refuse p=reject failures while only recording p=none ones. Every action
// starts in observe mode: many mailing lists and forwarders break DMARC for real senders.
#include "checks/dmarc/dmarc_config.h"

#include <array>

#include "config/config_table.h"
#include "config/key_setters.h"

namespace ts {
namespace {

constexpr std::array kKeys = {
    ConfigKey{"dmarc_reject_action", "observe", "action",
              "What a DMARC failure leads to when the From: domain publishes p=reject (or sp= "
              "for its subdomains): off, observe, score, tempfail, reject, quarantine.",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignAction(c.dmarc.reject_action, v);
              }},
    ConfigKey{"dmarc_quarantine_action", "observe", "action",
              "What a DMARC failure leads to under p=quarantine, or under p=reject for a "
              "message outside pct=.",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignAction(c.dmarc.quarantine_action, v);
              }},
    ConfigKey{"dmarc_none_action", "observe", "action",
              "What a DMARC failure leads to under p=none (or outside pct=), and a message "
              "without exactly one From: address with a domain.",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignAction(c.dmarc.none_action, v);
              }},
    ConfigKey{"dmarc_temperror_action", "observe", "action",
              "What a DNS fault while looking up the DMARC policy leads to: observe "
              "(fail-open) or tempfail (fail-closed).",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignTemperrorAction(c.dmarc.temperror_action, v);
              }},
    ConfigKey{"dmarc_timeout", "10s", "duration",
              "Deadline of the DMARC policy lookup (_dmarc at the From: domain and its "
              "Organizational Domain).",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignDeadline(c.dmarc.timeout, v);
              }},
};

}  // namespace

std::span<const ConfigKey> dmarcConfigKeys() {
  return kKeys;
}

}  // namespace ts
