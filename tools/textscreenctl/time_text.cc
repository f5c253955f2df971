// Dates are parsed by hand (no locale, no strptime quirks) and converted with timegm.
#include "time_text.h"

#include <charconv>
#include <ctime>

#include <fmt/format.h>

#include "config/value_parsers.h"

namespace ts::ctl {
namespace {

constexpr std::int64_t kWeek = 7 * 86400;

// Reads exactly n digits at pos.
bool digits(std::string_view s, std::size_t& pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  auto [ptr, ec] = std::from_chars(s.data() + pos, s.data() + pos + n, out);
  if (ec != std::errc() || ptr != s.data() + pos + n) return false;
  pos += n;
  return true;
}

bool expect(std::string_view s, std::size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

// "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS][Z]" or with a space instead of the T.
bool parseDate(std::string_view s, std::int64_t& out) {
  std::size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!(digits(s, pos, 4, year) && expect(s, pos, '-') && digits(s, pos, 2, month) &&
        expect(s, pos, '-') && digits(s, pos, 2, day))) {
    return false;
  }
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == ' ')) {
    ++pos;
    if (!(digits(s, pos, 2, hour) && expect(s, pos, ':') && digits(s, pos, 2, minute))) {
      return false;
    }
    if (pos < s.size() && s[pos] == ':' && !(expect(s, pos, ':') && digits(s, pos, 2, second))) {
      return false;
    }
    if (pos < s.size() && s[pos] == 'Z') ++pos;
  }
  if (pos != s.size()) return false;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  std::time_t t = timegm(&tm);
  // timegm normalises 2026-02-31 to March: such a date was a typo, not a wish.
  if (tm.tm_year != year - 1900 || tm.tm_mon != month - 1 || tm.tm_mday != day || hour > 23 ||
      minute > 59 || second > 59) {
    return false;
  }
  out = static_cast<std::int64_t>(t);
  return true;
}

}  // namespace

Result<std::int64_t> parseSpan(std::string_view text) {
  if (!text.empty() && text.back() == 'w') {
    std::int64_t weeks = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size() - 1, weeks);
    if (text.size() > 1 && ec == std::errc() && ptr == text.data() + text.size() - 1 &&
        weeks >= 0 && weeks < 100000) {
      return weeks * kWeek;
    }
  } else if (!text.empty() && text.find_first_not_of("0123456789smhd") == std::string_view::npos &&
             text.find_first_of("smhd") != std::string_view::npos) {
    auto d = parseDuration(text);
    if (d) return static_cast<std::int64_t>(d->count() / 1000);
  }
  return fail(fmt::format("'{}' is not a time span (use e.g. 90s, 30m, 24h, 7d, 2w)", text));
}

Result<std::int64_t> parseWhen(std::string_view text, std::int64_t now, Relative relative) {
  std::int64_t at = 0;
  if (parseDate(text, at)) return at;
  if (text.size() > 1 && text[0] == '@') {
    auto [ptr, ec] = std::from_chars(text.data() + 1, text.data() + text.size(), at);
    if (ec == std::errc() && ptr == text.data() + text.size()) return at;
  }
  auto span = parseSpan(text);
  if (span) return relative == Relative::kAhead ? now + *span : now - *span;
  return fail(
      fmt::format("'{}' is not a time: use a span like 24h or 7d, or a UTC date like 2026-12-31 or "
                  "2026-12-31T18:00:00Z",
                  text));
}

Result<std::int64_t> parseFutureTime(std::string_view text, std::int64_t now) {
  auto when = parseWhen(text, now, Relative::kAhead);
  if (!when) return when;
  if (*when <= now) return fail(fmt::format("{} is in the past", formatTime(*when)));
  return when;
}

}  // namespace ts::ctl
