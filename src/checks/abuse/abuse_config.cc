// The abuse counters' keys. Every limit defaults to 0 (off): a client is never sent away
// for its mistakes until the operator chooses limits (the shipped textscreen.conf sets
// them); the window and penalty time only matter once a limit is on.
#include "checks/abuse/abuse_config.h"

#include <fmt/format.h>

#include <array>

#include "config/config_table.h"
#include "config/key_setters.h"
#include "config/value_parsers.h"

namespace ts {
namespace {

template <unsigned AbuseConfig::*Field>
Status<> setLimit(Config& c, const std::vector<std::string>& values) {
  auto v = singleValue(values);
  if (!v) return fail(v.error());
  auto n = parseCount(*v);
  if (!n) return fail(n.error());
  if (*n > 1000000) return fail(std::string("must be a whole number from 0 (off) to 1000000"));
  c.abuse.*Field = static_cast<unsigned>(*n);
  return Ok{};
}

// Whole seconds: the counter store and the penalty box count seconds. `MinSeconds` is 1 for
// the error window (a rate needs one) and 0 for the penalty time (0: no penalty box).
template <std::chrono::seconds AbuseConfig::*Field, long MinSeconds>
Status<> setSeconds(Config& c, const std::vector<std::string>& values) {
  auto v = singleValue(values);
  if (!v) return fail(v.error());
  auto d = parseDuration(*v);
  if (!d) return fail(d.error());
  if (d->count() % 1000 != 0 || *d < std::chrono::seconds(MinSeconds) ||
      *d > std::chrono::hours(24 * 30)) {
    return fail(fmt::format("must be whole seconds, from {}s to 30d", MinSeconds));
  }
  c.abuse.*Field = std::chrono::duration_cast<std::chrono::seconds>(*d);
  return Ok{};
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
    ConfigKey{"abuse_window", "10m", "duration",
              "The window of abuse_max_window_errors (whole seconds).", false,
              setSeconds<&AbuseConfig::window, 1>},
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
