// Plain-word durations and UTC times for refusal reasons. gmtime_r, not localtime: the
// daemon's zone means nothing to a sender abroad.
#include "util/time_words.h"

#include <fmt/format.h>

#include <ctime>

namespace ts {
namespace {

std::string plural(long long n, const char* unit) {
  return fmt::format("{} {}{}", n, unit, n == 1 ? "" : "s");
}

std::tm utc(std::chrono::system_clock::time_point t) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  return parts;
}

}  // namespace

std::string durationWords(std::chrono::seconds d) {
  long long s = d.count();
  if (s > 0 && s % 86400 == 0) return s == 86400 ? "a day" : plural(s / 86400, "day");
  if (s > 0 && s % 3600 == 0) return s == 3600 ? "an hour" : plural(s / 3600, "hour");
  if (s > 0 && s % 60 == 0) return s == 60 ? "a minute" : plural(s / 60, "minute");
  return s == 1 ? "a second" : plural(s, "second");
}

std::string waitWords(std::chrono::seconds d) {
  long long s = d.count();
  if (s < 60) return plural(s, "second");
  long long minutes = (s + 59) / 60;
  if (minutes < 120) return plural(minutes, "minute");
  std::string out = plural(minutes / 60, "hour");
  if (minutes % 60 > 0) out += " " + plural(minutes % 60, "minute");
  return out;
}

std::string utcTimeWords(std::chrono::system_clock::time_point at,
                         std::chrono::system_clock::time_point now) {
  std::tm when = utc(std::chrono::ceil<std::chrono::minutes>(at));
  std::tm today = utc(now);
  std::string clock = fmt::format("{:02}:{:02} UTC", when.tm_hour, when.tm_min);
  if (when.tm_yday == today.tm_yday && when.tm_year == today.tm_year) return clock;
  return fmt::format("{}-{:02}-{:02} {}", when.tm_year + 1900, when.tm_mon + 1, when.tm_mday,
                     clock);
}

}  // namespace ts
