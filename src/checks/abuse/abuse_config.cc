// The abuse counters' keys. The limits on mistakes default to 0 (off): a client is never
// sent away for its mistakes until the operator chooses limits (the shipped textscreen.conf
// sets them). Failed AUTH attempts are no mistake of a working client but password
// guessing, so that limit is on by default (it only matters where AUTH is offered).
#include "checks/abuse/abuse_config.h"

#include <fmt/format.h>

#include <array>

#include "config/config_table.h"
#include "config/key_setters.h"
#include "config/value_parsers.h"

namespace ts {
namespace {

constexpr std::uint64_t kMaxLimit = 1000000;

template <unsigned AbuseConfig::*Field>
Status<> setLimit(Config& c, const std::vector<std::string>& values) {
  return assignCount(c.abuse.*Field, values, 0, kMaxLimit);
}

// `MinSeconds` is 1 for the error window (a rate needs one) and 0 for the penalty time
// (0: no penalty box).
template <std::chrono::seconds AbuseConfig::*Field, long MinSeconds>
Status<> setSeconds(Config& c, const std::vector<std::string>& values) {
  return assignSeconds(c.abuse.*Field, values, std::chrono::seconds(MinSeconds),
                       std::chrono::hours(24 * 30));
}

constexpr std::array kKeys = {
    ConfigKey{"abuse_max_rsets", "0", "count",
              "RSET commands one session may send; the next one ends the session (421 4.7.0) and "
              "puts the client in the penalty box for penalty_time. 0: no limit (the default; the "
              "shipped textscreen.conf uses 20).",
              false, setLimit<&AbuseConfig::max_rsets>},
    ConfigKey{"abuse_max_bad_recipients", "0", "count",
              "Refused recipients one session may try (number harvesting); the next one ends the "
              "session and puts the client in the penalty box. 0: no limit (the default; the "
              "shipped textscreen.conf uses 10).",
              false, setLimit<&AbuseConfig::max_bad_recipients>},
    ConfigKey{"abuse_max_window_errors", "0", "count",
              "Error replies one client address may earn per abuse_window, over all its "
              "sessions; more end the session and put the client in the penalty box. 0: off (the "
              "default; the shipped textscreen.conf uses 50).",
              false, setLimit<&AbuseConfig::max_window_errors>},
    ConfigKey{"abuse_max_auth_failures", "5", "count",
              "Failed SMTP AUTH attempts one client address may make per abuse_window, over all "
              "its sessions; the next one ends the session (421 4.7.0) and puts the client in the "
              "penalty box. 0: no limit.",
              false, setLimit<&AbuseConfig::max_auth_failures>},
    ConfigKey{"abuse_window", "10m", "duration",
              "The window of abuse_max_window_errors and abuse_max_auth_failures (whole seconds).",
              false, setSeconds<&AbuseConfig::window, 1>},
    ConfigKey{"penalty_time", "10m", "duration",
              "How long a client sent away for abuse is answered 421 on connect (whole seconds); "
              "0: nobody is put in the penalty box. textscreenctl penalty list|clear shows and "
              "lifts penalties.",
              false, setSeconds<&AbuseConfig::penalty_time, 0>},
};

}  // namespace

std::span<const ConfigKey> abuseConfigKeys() {
  return kKeys;
}

}  // namespace ts
