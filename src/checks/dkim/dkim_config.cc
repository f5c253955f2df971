// The dkim_* keys. Mailing lists and forwarders break signatures every day, and many small
// senders do not sign at all, so every DKIM action starts as observe: an operator sees the
// counts before anything is refused.
#include "checks/dkim/dkim_config.h"

#include <array>

#include "config/config_table.h"
#include "config/key_setters.h"
#include "config/value_parsers.h"

namespace ts {
namespace {

// Each signature costs a key lookup and a public-key operation; real mail carries one to
// three (the author's domain, an ESP, a list).
constexpr unsigned kMaxSignaturesLimit = 20;

Status<> assignMaxSignatures(unsigned& out, const std::vector<std::string>& values) {
  auto v = singleValue(values);
  if (!v) return fail(v.error());
  auto n = parseCount(*v);
  if (!n) return fail(n.error());
  if (*n < 1 || *n > kMaxSignaturesLimit) {
    return fail("must be a whole number from 1 to " + std::to_string(kMaxSignaturesLimit));
  }
  out = static_cast<unsigned>(*n);
  return Ok{};
}

constexpr std::array kKeys = {
    ConfigKey{"dkim_fail_action", "observe", "action",
              "What a message whose DKIM signatures all fail to verify (a changed body, a "
              "wrong key) leads to: off, observe, score, tempfail, reject, quarantine.",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignAction(c.dkim.actions.fail, v);
              }},
    ConfigKey{"dkim_permerror_action", "observe", "action",
              "What a message whose DKIM signatures all cannot be used (malformed, no key "
              "published, unsupported algorithm) leads to: off, observe, score, tempfail, "
              "reject, quarantine.",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignAction(c.dkim.actions.permerror, v);
              }},
    ConfigKey{"dkim_temperror_action", "observe", "action",
              "What a DNS fault while fetching a DKIM key leads to, when no signature passed: "
              "observe (fail-open) or tempfail (fail-closed).",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignTemperrorAction(c.dkim.actions.temperror, v);
              }},
    ConfigKey{"dkim_fail_score", "3", "score",
              "Score a DKIM fail adds when dkim_fail_action = score.", false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignScore(c.dkim.fail_score, v);
              }},
    ConfigKey{"dkim_timeout", "10s", "duration",
              "Deadline of the DKIM check (all key lookups together, from end of data).", false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignDeadline(c.dkim.timeout, v);
              }},
    ConfigKey{"dkim_max_signatures", "5", "count",
              "DKIM signatures verified per message, from the top (1 to 20); the rest are "
              "reported as not verified (neutral).",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignMaxSignatures(c.dkim.max_signatures, v);
              }},
};

}  // namespace

std::span<const ConfigKey> dkimConfigKeys() {
  return kKeys;
}

}  // namespace ts
