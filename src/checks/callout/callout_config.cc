// The sender callout's keys. It is off by default: a callout opens a connection to a third
// party's mail server for every new sender, which an operator must choose to do, and
// its per-domain limits keep one busy sender domain from seeing us as an attacker.
#include "checks/callout/callout_config.h"

#include <array>
#include <limits>

#include "config/config_table.h"
#include "config/key_setters.h"
#include "config/value_parsers.h"

namespace ts {
namespace {

Status<> assignPort(std::uint16_t& out, const std::vector<std::string>& values) {
  auto v = singleValue(values);
  if (!v) return fail(v.error());
  auto n = parseCount(*v);
  if (!n) return fail(n.error());
  if (*n == 0 || *n > std::numeric_limits<std::uint16_t>::max()) {
    return fail(std::string("must be a TCP port from 1 to 65535"));
  }
  out = static_cast<std::uint16_t>(*n);
  return Ok{};
}

Status<> assignTtl(std::chrono::seconds& out, const std::vector<std::string>& values) {
  auto v = singleValue(values);
  if (!v) return fail(v.error());
  auto d = parseDuration(*v);
  if (!d) return fail(d.error());
  // Whole seconds: the cache stores unix seconds. 0 turns caching of that kind off.
  out = std::chrono::duration_cast<std::chrono::seconds>(*d);
  return Ok{};
}

Status<> assignLimit(unsigned& out, const std::vector<std::string>& values) {
  auto v = singleValue(values);
  if (!v) return fail(v.error());
  auto n = parseCount(*v);
  if (!n) return fail(n.error());
  if (*n == 0 || *n > 100000) return fail(std::string("must be a whole number from 1 to 100000"));
  out = static_cast<unsigned>(*n);
  return Ok{};
}

constexpr std::array kKeys = {
    ConfigKey{"callout_action", "off", "action",
              "Sender callout: talk to the mail server of the MAIL FROM domain and ask whether "
              "it accepts the sender's address (RCPT TO). What a rejected sender leads to: off "
              "(the default: no connection is made), observe, score, tempfail, reject, "
              "quarantine.",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignAction(c.callout.action, v);
              }},
    ConfigKey{"callout_score", "3", "score",
              "Score a sender rejected by its own mail server adds when callout_action = score.",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignScore(c.callout.score, v);
              }},
    ConfigKey{"callout_temperror_action", "observe", "action",
              "What a callout that could not finish (DNS fault, no answer, 4xx, limits reached) "
              "leads to: observe (fail-open) or tempfail (fail-closed).",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignTemperrorAction(c.callout.temperror_action, v);
              }},
    ConfigKey{"callout_timeout", "30s", "duration",
              "Deadline of one callout, MX lookup and SMTP dialog together (at most 60s).", false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignDeadline(c.callout.timeout, v);
              }},
    ConfigKey{
        "callout_port", "25", "port", "TCP port of the sender's mail server.", false,
        [](Config& c, const std::vector<std::string>& v) { return assignPort(c.callout.port, v); }},
    ConfigKey{"callout_positive_ttl", "7d", "duration",
              "How long an accepted sender (or an accept-all server) is remembered.", false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignTtl(c.callout.positive_ttl, v);
              }},
    ConfigKey{"callout_negative_ttl", "1h", "duration",
              "How long a sender rejected (5xx) by its own mail server is remembered. Temporary "
              "results are never remembered.",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignTtl(c.callout.negative_ttl, v);
              }},
    ConfigKey{"callout_domain_concurrency", "2", "count",
              "Most callouts in flight to one sender domain at once; beyond, a temperror.", false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignLimit(c.callout.per_domain_concurrency, v);
              }},
    ConfigKey{"callout_domain_rate", "10", "count per minute",
              "Most callouts started to one sender domain per minute; beyond, a temperror.", false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignLimit(c.callout.per_domain_per_minute, v);
              }},
};

}  // namespace

std::span<const ConfigKey> calloutConfigKeys() {
  return kKeys;
}

}  // namespace ts
