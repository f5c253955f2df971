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
  auto v = singleValue(values);
  if (!v) return fail(v.error());
  auto n = parseCount(*v);
  if (!n) return fail(n.error());
  if (*n > kMaxLimit) return fail(std::string("must be a whole number from 0 (off) to 1000000"));
  (c.rate.*Spec).limit = static_cast<std::uint32_t>(*n);
  return Ok{};
}

template <RateSpec RateConfig::*Spec>
Status<> setWindow(Config& c, const std::vector<std::string>& values) {
  auto v = singleValue(values);
  if (!v) return fail(v.error());
  auto d = parseDuration(*v);
  if (!d) return fail(d.error());
  // GCRA spaces events by window / limit; the store and the reasons count whole seconds.
  if (d->count() % 1000 != 0 || *d < std::chrono::seconds(1) || *d > kMaxWindow) {
    return fail(std::string("must be whole seconds, from 1s to 30d"));
  }
  (c.rate.*Spec).window = std::chrono::duration_cast<std::chrono::seconds>(*d);
  return Ok{};
}

template <std::size_t RateConfig::*Field>
Status<> setBound(Config& c, const std::vector<std::string>& values) {
  auto v = singleValue(values);
  if (!v) return fail(v.error());
  auto n = parseCount(*v);
  if (!n) return fail(n.error());
  if (*n == 0 || *n > std::numeric_limits<std::uint32_t>::max()) {
    return fail(std::string("must be a whole number from 1"));
  }
  c.rate.*Field = static_cast<std::size_t>(*n);
  return Ok{};
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
