// Times as operators type and read them: spans like "24h" or "7d", dates like
// "2026-12-31" (always UTC, so two operators in different zones mean the same moment),
// and ages like "5m" for a listing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "config/config.h"
#include "util/result.h"
#include "util/time_format.h"  // formatTime, formatAge, formatDuration

namespace ts::ctl {

// "90s", "30m", "24h", "7d", "2w" in seconds.
Result<std::int64_t> parseSpan(std::string_view text);

// A date or date-time (UTC), "@unix-seconds", or a span counted from now: ahead for an
// expiry, back for "since".
enum class Relative { kAhead, kBack };
Result<std::int64_t> parseWhen(std::string_view text, std::int64_t now, Relative relative);

// A time that must still lie ahead, as an --expires value of an add command must.
Result<std::int64_t> parseFutureTime(std::string_view text, std::int64_t now);

}  // namespace ts::ctl
