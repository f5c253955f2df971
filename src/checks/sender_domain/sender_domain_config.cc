// A sender domain that cannot receive mail cannot take a bounce or a reply: Postfix's
// reject_unknown_sender_domain. It starts in observe mode like every new check.
#include "checks/sender_domain/sender_domain_config.h"

#include <array>

#include "config/config_table.h"
#include "config/key_setters.h"

namespace ts {
namespace {

constexpr std::array kKeys = {
    ConfigKey{"sender_domain_action", "observe", "action",
              "What a sender domain without MX, A or AAAA (or with a null MX, or that does not "
              "exist) leads to: off, observe, score, tempfail, reject, quarantine.",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignAction(c.sender_domain.action, v);
              }},
    ConfigKey{"sender_domain_score", "3", "score",
              "Score such a sender domain adds when sender_domain_action = score.", false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignScore(c.sender_domain.score, v);
              }},
    ConfigKey{"sender_domain_temperror_action", "observe", "action",
              "What a DNS fault while looking up the sender domain leads to: observe "
              "(fail-open) or tempfail (fail-closed).",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignTemperrorAction(c.sender_domain.temperror_action, v);
              }},
    ConfigKey{"sender_domain_timeout", "10s", "duration",
              "Deadline of the sender domain's DNS lookups.", false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignDeadline(c.sender_domain.timeout, v);
              }},
};

}  // namespace

std::span<const ConfigKey> senderDomainConfigKeys() {
  return kKeys;
}

}  // namespace ts
