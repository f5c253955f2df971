// The rate limits' keys: each rate is a count and a window. Every count defaults to 0 (off)
// so that nothing is throttled until the operator chooses limits; the shipped
// textscreen.conf sets provider-like values.
#include "checks/rate/rate_config.h"

#include <array>
#include <limits>

#include "config/config_table.h"
#include "config/key_setters.h"
#include "config/value_parsers.h"

namespace ts {
namespace {

constexpr std::uint64_t kMaxLimit = 1000000;
constexpr std::chrono::seconds kMaxWindow = std::chrono::hours(24 * 30);

template <RateSpec RateConfig::*Spec>
Status<> setLimit(Config& c, const std::vector<std::string>& values) {
  return assignCount((c.rate.*Spec).limit, values, 0, kMaxLimit);
}

// GCRA spaces events by window / limit; the store and the reasons count whole seconds.
template <RateSpec RateConfig::*Spec>
Status<> setWindow(Config& c, const std::vector<std::string>& values) {
  return assignSeconds((c.rate.*Spec).window, values, std::chrono::seconds(1), kMaxWindow);
}

template <std::size_t RateConfig::*Field>
Status<> setBound(Config& c, const std::vector<std::string>& values) {
  return assignCount(c.rate.*Field, values, 1, std::numeric_limits<std::uint32_t>::max());
}

constexpr std::array kKeys = {
    ConfigKey{"rate_client_limit", "0", "count",
              "Recipients one client address may send to per rate_client_window, in bursts of up "
              "to this many; more are tempfailed (450 4.7.1) with the time to retry. 0: off (the "
              "default; the shipped textscreen.conf uses 300).",
              false, setLimit<&RateConfig::per_client>},
    ConfigKey{"rate_client_window", "1h", "duration",
              "The window of rate_client_limit (whole seconds).", false,
              setWindow<&RateConfig::per_client>},
    ConfigKey{"rate_sender_domain_limit", "0", "count",
              "Recipients one sender (organisational) domain may send to per "
              "rate_sender_domain_window, whatever the local part or client. 0: off (the default; "
              "the shipped textscreen.conf uses 300).",
              false, setLimit<&RateConfig::per_sender_domain>},
    ConfigKey{"rate_sender_domain_window", "1h", "duration",
              "The window of rate_sender_domain_limit (whole seconds).", false,
              setWindow<&RateConfig::per_sender_domain>},
    ConfigKey{"rate_recipient_limit", "0", "count",
              "Messages one subscriber number may receive per rate_recipient_window. 0: off (the "
              "default; the shipped textscreen.conf uses 60).",
              false, setLimit<&RateConfig::per_recipient>},
    ConfigKey{"rate_recipient_window", "1h", "duration",
              "The window of rate_recipient_limit (whole seconds).", false,
              setWindow<&RateConfig::per_recipient>},
    ConfigKey{"rate_identical_limit", "0", "count",
              "Times the same body may go from one sender to one recipient per "
              "rate_identical_window (a looping cron job). 0: off (the default; the shipped "
              "textscreen.conf uses 3).",
              false, setLimit<&RateConfig::identical>},
    ConfigKey{"rate_identical_window", "10m", "duration",
              "The window of rate_identical_limit (whole seconds).", false,
              setWindow<&RateConfig::identical>},
    ConfigKey{"counter_max_keys", "1000000", "count",
              "Keys the in-process rate and surge counters hold; the least recently used is "
              "forgotten first.",
              false, setBound<&RateConfig::max_keys>},
    ConfigKey{"counter_max_members", "10000", "count",
              "Members one distinct counter (surge) remembers; beyond it the oldest is forgotten "
              "and the count stays at this cap.",
              false, setBound<&RateConfig::max_members_per_key>},
};

}  // namespace

std::span<const ConfigKey> rateConfigKeys() {
  return kKeys;
}

}  // namespace ts
