// One linear pass over the raw header section collects everything the checks need (field
// counts, the first Date and Message-ID values, 8-bit bytes, overlong lines), so a hostile
// header section of a megabyte costs one scan and a few kilobytes, never more.
#include "checks/headers/header_check.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <gmime/gmime.h>

#include <algorithm>
#include <ctime>
#include <optional>
#include <string>

#include "checks/dmarc/from_header.h"
#include "util/ascii.h"
#include "util/printable.h"

namespace ts {
namespace {

// A Date or Message-ID longer than this is not one a sending system wrote by mistake; the
// cap keeps a folded megabyte-long field from being copied.
constexpr std::size_t kMaxValue = 4096;
// How much of a value or field name a reason quotes (printable ASCII only, since it goes
// into SMTP replies and log lines): enough to recognise it.
constexpr std::size_t kQuoted = 80;

bool isWsp(char c) {
  return c == ' ' || c == '\t';
}

bool isFieldNameChar(char c) {
  auto u = static_cast<unsigned char>(c);
  return u >= 33 && u <= 126 && c != ':';
}

std::string_view trimWsp(std::string_view s) {
  while (!s.empty() && isWsp(s.front())) s.remove_prefix(1);
  while (!s.empty() && isWsp(s.back())) s.remove_suffix(1);
  return s;
}

// The value of one field, unfolded (RFC 5322 2.2.3: the line breaks go, the whitespace
// after them stays), up to kMaxValue bytes.
struct FieldValue {
  std::string text;
  bool overlong = false;

  void append(std::string_view part) {
    if (overlong) return;
    if (text.size() + part.size() > kMaxValue) {
      overlong = true;
      return;
    }
    text.append(part);
  }
};

enum class Tracked { kNone, kDate, kMessageId };

struct HeaderScan {
  std::size_t dates = 0;
  std::size_t message_ids = 0;
  std::size_t froms = 0;
  FieldValue date;        // the first Date
  FieldValue message_id;  // the first Message-ID

  std::size_t eight_bit_lines = 0;
  std::size_t first_eight_bit_line = 0;
  std::string_view first_eight_bit_field;
  unsigned char first_eight_bit_byte = 0;

  std::size_t long_lines = 0;
  std::size_t first_long_line = 0;
  std::size_t first_long_length = 0;
  std::size_t longest = 0;
  std::string_view first_long_field;
};

void scanHeaders(std::string_view message, std::size_t max_line_length, HeaderScan& scan) {
  Tracked tracked = Tracked::kNone;
  std::string_view field;  // the name of the field the current line belongs to
  std::size_t pos = 0;
  std::size_t line_number = 0;
  while (pos < message.size()) {
    std::size_t end = message.find('\n', pos);
    if (end == std::string_view::npos) end = message.size();
    std::string_view line = message.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;
    ++line_number;

    bool continuation = isWsp(line.front());
    std::string_view value;
    if (continuation) {
      value = line;
    } else {
      tracked = Tracked::kNone;
      std::size_t colon = line.find(':');
      std::string_view name =
          colon == std::string_view::npos ? line : trimWsp(line.substr(0, colon));
      bool is_field = colon != std::string_view::npos && !name.empty();
      for (std::size_t i = 0; is_field && i < name.size(); ++i) {
        is_field = isFieldNameChar(name[i]);
      }
      field = name;
      if (is_field) {
        value = line.substr(colon + 1);
        if (asciiEqualsIgnoreCase(name, "Date")) {
          if (scan.dates++ == 0) tracked = Tracked::kDate;
        } else if (asciiEqualsIgnoreCase(name, "Message-ID")) {
          if (scan.message_ids++ == 0) tracked = Tracked::kMessageId;
        } else if (asciiEqualsIgnoreCase(name, "From")) {
          ++scan.froms;
        }
      }
    }
    if (tracked == Tracked::kDate) scan.date.append(value);
    if (tracked == Tracked::kMessageId) scan.message_id.append(value);

    for (char c : line) {
      auto u = static_cast<unsigned char>(c);
      if (u < 0x80) continue;
      if (scan.eight_bit_lines++ == 0) {
        scan.first_eight_bit_line = line_number;
        scan.first_eight_bit_field = field;
        scan.first_eight_bit_byte = u;
      }
      break;
    }
    if (line.size() > max_line_length) {
      if (scan.long_lines++ == 0) {
        scan.first_long_line = line_number;
        scan.first_long_length = line.size();
        scan.first_long_field = field;
      }
      scan.longest = std::max(scan.longest, line.size());
    }
  }
}

// RFC 5322 3.2.3 atext, with RFC 6532's UTF-8 (8-bit bytes without SMTPUTF8 are the
// header_8bit check's business, not a second fault of the Message-ID).
bool isAtext(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u >= 0x80) return true;
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

bool isDtext(char c) {
  auto u = static_cast<unsigned char>(c);
  return (u >= 33 && u <= 90) || (u >= 94 && u <= 126) || u >= 0x80;
}

// CFWS (RFC 5322 3.2.2): whitespace and comments, which nest and may hold quoted pairs.
bool skipCfws(std::string_view s, std::size_t& i) {
  while (i < s.size()) {
    if (isWsp(s[i])) {
      ++i;
    } else if (s[i] == '(') {
      std::size_t depth = 0;
      for (; i < s.size(); ++i) {
        if (s[i] == '\\') {
          ++i;
        } else if (s[i] == '(') {
          ++depth;
        } else if (s[i] == ')' && --depth == 0) {
          break;
        }
      }
      if (i >= s.size()) return false;
      ++i;
    } else {
      break;
    }
  }
  return true;
}

bool skipDotAtomText(std::string_view s, std::size_t& i) {
  std::size_t start = i;
  while (i < s.size() && (isAtext(s[i]) || s[i] == '.')) ++i;
  std::string_view text = s.substr(start, i - start);
  return !text.empty() && text.front() != '.' && text.back() != '.' &&
         text.find("..") == std::string_view::npos;
}

// msg-id = [CFWS] "<" id-left "@" id-right ">" [CFWS] (RFC 5322 3.6.4), where id-left is
// dot-atom-text and id-right dot-atom-text or no-fold-literal.
bool isMsgId(std::string_view s) {
  std::size_t i = 0;
  if (!skipCfws(s, i) || i >= s.size() || s[i++] != '<') return false;
  if (!skipDotAtomText(s, i) || i >= s.size() || s[i++] != '@') return false;
  if (i < s.size() && s[i] == '[') {
    ++i;
    while (i < s.size() && isDtext(s[i])) ++i;
    if (i >= s.size() || s[i++] != ']') return false;
  } else if (!skipDotAtomText(s, i)) {
    return false;
  }
  if (i >= s.size() || s[i++] != '>') return false;
  return skipCfws(s, i) && i == s.size();
}

// The Unix time of a Date value, through GMime's RFC 5322 date parser.
std::optional<std::int64_t> parseDate(const FieldValue& date) {
  if (date.overlong || date.text.find('\0') != std::string::npos) return std::nullopt;
  if (trimWsp(date.text).empty()) return std::nullopt;
  initFromHeaderParser();
  GDateTime* parsed = g_mime_utils_header_decode_date(date.text.c_str());
  if (parsed == nullptr) return std::nullopt;
  std::int64_t unix_time = g_date_time_to_unix(parsed);
  g_date_time_unref(parsed);
  return unix_time;
}

std::string utcText(std::int64_t unix_time) {
  std::time_t t = static_cast<std::time_t>(unix_time);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return fmt::format("{} seconds after 1970", unix_time);
  return fmt::format("{:%Y-%m-%d %H:%M} UTC", tm);
}

struct Unit {
  std::int64_t seconds;
  const char* one;
  const char* many;
};
constexpr Unit kUnits[] = {
    {86400, "day", "days"}, {3600, "hour", "hours"}, {60, "minute", "minutes"}};

std::string countOf(std::int64_t n, const char* one, const char* many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

// A configured limit in the largest unit it is a whole number of: 72h reads "3 days".
std::string limitText(std::int64_t seconds) {
  for (const Unit& u : kUnits) {
    if (seconds % u.seconds == 0) return countOf(seconds / u.seconds, u.one, u.many);
  }
  return countOf(seconds, "second", "seconds");
}

// How far a Date is beyond a limit, in the largest unit that still shows it beyond: 12
// days against 3 reads "12 days", 73 hours against 72 reads "73 hours", never "3 days".
std::string spanText(std::int64_t seconds, std::int64_t limit) {
  for (const Unit& u : kUnits) {
    std::int64_t n = seconds / u.seconds;
    if (n * u.seconds > limit) return countOf(n, u.one, u.many);
  }
  return countOf(seconds, "second", "seconds");
}

}  // namespace

std::vector<CheckResult> HeaderCheck::evaluate(std::string_view raw_message, bool smtputf8,
                                               std::chrono::system_clock::time_point now) const {
  HeaderScan scan;
  scanHeaders(raw_message, config_.max_line_length, scan);

  std::vector<CheckResult> results;
  auto add = [&](const char* check, const char* enhanced, std::string reason, std::string detail) {
    CheckResult r;
    r.check = check;
    r.outcome = Outcome::kFail;
    r.score = config_.score;
    r.enhanced = enhanced;
    r.reason = std::move(reason);
    r.detail = std::move(detail);
    results.push_back(std::move(r));
  };

  if (scan.dates == 0) {
    add("header_date", "5.6.0",
        "Message refused: it has no Date: header field, which RFC 5322 requires; have the "
        "sending software add one with the time the message was written.",
        "no Date field");
  } else if (scan.dates > 1) {
    add("header_date", "5.6.0",
        fmt::format("Message refused: it has {} Date: header fields, but RFC 5322 allows "
                    "exactly one; fix the sending software.",
                    scan.dates),
        fmt::format("{} Date fields", scan.dates));
  }
  if (scan.dates > 0) {
    std::optional<std::int64_t> date = parseDate(scan.date);
    std::string shown = printableAscii(trimWsp(scan.date.text), kQuoted);
    if (!date) {
      add("header_date", "5.6.0",
          fmt::format("Message refused: its Date: header field \"{}\" is not an RFC 5322 "
                      "date-time such as \"Tue, 1 Dec 2026 10:00:00 +0000\"; fix the date "
                      "format of the sending software.",
                      shown),
          scan.date.overlong ? fmt::format("Date longer than {} bytes", kMaxValue)
                             : fmt::format("Date: {}", shown));
    } else {
      std::int64_t now_unix =
          std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
      std::int64_t max_age = config_.date_max_age.count();
      std::int64_t max_future = config_.date_max_future.count();
      std::string when = utcText(*date);
      if (now_unix - *date > max_age) {
        add("header_date_range", "5.7.1",
            fmt::format("Message refused: its Date ({}) is {} old, older than the {} this "
                        "gateway accepts; an SMS alert this old would mislead its reader. Send "
                        "current alerts only, and check the sending system's clock and queue.",
                        when, spanText(now_unix - *date, max_age), limitText(max_age)),
            fmt::format("Date: {}; {} seconds before now", shown, now_unix - *date));
      } else if (*date - now_unix > max_future) {
        add("header_date_range", "5.7.1",
            fmt::format("Message refused: its Date ({}) is {} in the future, further ahead than "
                        "the {} this gateway accepts; an SMS alert dated ahead would mislead its "
                        "reader. Check the sending system's clock.",
                        when, spanText(*date - now_unix, max_future), limitText(max_future)),
            fmt::format("Date: {}; {} seconds after now", shown, *date - now_unix));
      }
    }
  }

  if (scan.message_ids > 1) {
    add("header_message_id", "5.6.0",
        fmt::format("Message refused: it has {} Message-ID: header fields, but RFC 5322 allows "
                    "at most one; fix the sending software.",
                    scan.message_ids),
        fmt::format("{} Message-ID fields", scan.message_ids));
  } else if (scan.message_ids == 1 &&
             (scan.message_id.overlong || !isMsgId(scan.message_id.text))) {
    std::string shown = printableAscii(trimWsp(scan.message_id.text), kQuoted);
    add("header_message_id", "5.6.0",
        fmt::format("Message refused: its Message-ID \"{}\" is not an RFC 5322 msg-id of the "
                    "form <unique-part@host.example>; fix the sending software, or leave the "
                    "Message-ID out.",
                    shown),
        scan.message_id.overlong ? fmt::format("Message-ID longer than {} bytes", kMaxValue)
                                 : fmt::format("Message-ID: {}", shown));
  }

  if (scan.froms != 1) {
    add("header_from", "5.6.0",
        scan.froms == 0
            ? std::string("Message refused: it has no From: header field, which RFC 5322 "
                          "requires; have the sending software name the sender in one.")
            : fmt::format("Message refused: it has {} From: header fields, but RFC 5322 allows "
                          "exactly one; fix the sending software.",
                          scan.froms),
        fmt::format("{} From fields", scan.froms));
  }

  if (!smtputf8 && scan.eight_bit_lines > 0) {
    std::string field = printableAscii(scan.first_eight_bit_field, kQuoted);
    add("header_8bit", "5.6.7",
        fmt::format("Message refused: its header field {} holds 8-bit characters, but the "
                    "message was not sent with SMTPUTF8; use RFC 2047 encoded words, or send "
                    "with SMTPUTF8.",
                    field),
        fmt::format("{} header lines with 8-bit bytes; first: line {} ({}), byte 0x{:02X}",
                    scan.eight_bit_lines, scan.first_eight_bit_line, field,
                    scan.first_eight_bit_byte));
  }

  if (scan.long_lines > 0) {
    std::string field = printableAscii(scan.first_long_field, kQuoted);
    add("header_line_length", "5.6.0",
        fmt::format("Message refused: header line {} ({}) is {} bytes long, but {} at most "
                    "{}; fold long header fields onto continuation lines.",
                    scan.first_long_line, field, scan.first_long_length,
                    config_.max_line_length == 998 ? "RFC 5322 allows" : "this gateway accepts",
                    config_.max_line_length),
        fmt::format("{} header lines over {} bytes; first: line {} ({}), {} bytes; longest {}",
                    scan.long_lines, config_.max_line_length, scan.first_long_line, field,
                    scan.first_long_length, scan.longest));
  }
  return results;
}

}  // namespace ts
