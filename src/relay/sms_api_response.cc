// Twilio's error answers are {"code": 21211, "message": "...", "status": 400, ...}; the
// code, not the status, tells a bad recipient number from a bad request of ours. Only
// the codes about the To number are permanent for the sender: every other refusal is
// ours to fix (From, service sid, account) and stays temporary.
// HTTP-dates are read here by hand: libevent only writes them, OpenSSL reads only ASN.1
// times, and strptime's %a/%b follow the process locale. The three forms are fixed-width
// enough that exact matching is short, and timegm makes the UTC time without the TZ.
#include "relay/sms_api_response.h"

#include <algorithm>
#include <ctime>
#include <nlohmann/json.hpp>

#include "util/printable.h"

namespace ts {
namespace {

constexpr std::size_t kMaxApiMessage = 200;
constexpr std::size_t kMaxMessageId = 64;

// Twilio error codes that say the To number cannot get this SMS: invalid (21211, 21217,
// 21401, 21421), unreachable or not mobile (21214, 21612, 21614), a short code (21265),
// not a permitted destination (21407, 21408), the subscriber sent STOP (21610).
constexpr int kBadNumberCodes[] = {21211, 21214, 21217, 21265, 21401, 21407,
                                   21408, 21421, 21610, 21612, 21614};

bool isBadNumberCode(int code) {
  for (int c : kBadNumberCodes) {
    if (c == code) return true;
  }
  return false;
}

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Reads exactly `digits` digits (or 1..digits when `digits` is negative) at text[pos].
bool number(std::string_view text, std::size_t& pos, int digits, int& out) {
  int max = digits < 0 ? -digits : digits;
  int n = 0;
  out = 0;
  while (pos < text.size() && n < max && isDigit(text[pos])) {
    out = out * 10 + (text[pos] - '0');
    ++pos;
    ++n;
  }
  return digits < 0 ? n > 0 : n == digits;
}

bool literal(std::string_view text, std::size_t& pos, std::string_view expected) {
  if (text.substr(pos, expected.size()) != expected) return false;
  pos += expected.size();
  return true;
}

bool month(std::string_view text, std::size_t& pos, int& out) {
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int i = 0; i < 12; ++i) {
    if (text.substr(pos, 3) == kMonths[i]) {
      pos += 3;
      out = i;
      return true;
    }
  }
  return false;
}

bool clock(std::string_view text, std::size_t& pos, std::tm& tm) {
  return number(text, pos, 2, tm.tm_hour) && literal(text, pos, ":") &&
         number(text, pos, 2, tm.tm_min) && literal(text, pos, ":") &&
         number(text, pos, 2, tm.tm_sec);
}

// The day name is skipped up to its ',' (IMF-fixdate, RFC 850) or ' ' (asctime); only the
// date and time count.
std::optional<std::time_t> httpDate(std::string_view text) {
  std::tm tm{};
  std::size_t pos = text.find(',');
  bool ok = false;
  if (pos != std::string_view::npos) {
    ++pos;
    if (literal(text, pos, " ") && number(text, pos, 2, tm.tm_mday)) {
      if (literal(text, pos, " ")) {  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
        ok = month(text, pos, tm.tm_mon) && literal(text, pos, " ") &&
             number(text, pos, 4, tm.tm_year) && literal(text, pos, " ");
        tm.tm_year -= 1900;
      } else if (literal(text, pos, "-")) {  // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"
        ok = month(text, pos, tm.tm_mon) && literal(text, pos, "-") &&
             number(text, pos, 2, tm.tm_year) && literal(text, pos, " ");
        // RFC 9110 5.6.7: a two-digit year more than 50 years ahead is in the past century.
        if (tm.tm_year < 70) tm.tm_year += 100;
      }
      ok = ok && clock(text, pos, tm) && literal(text, pos, " GMT") && pos == text.size();
    }
  } else {    // asctime: "Sun Nov  6 08:49:37 1994"
    pos = 3;  // the day name
    ok = text.size() == 24 && literal(text, pos, " ") && month(text, pos, tm.tm_mon) &&
         literal(text, pos, " ");
    if (ok && text[pos] == ' ') ++pos;  // a one-digit day is padded with a space
    ok = ok && number(text, pos, -2, tm.tm_mday) && literal(text, pos, " ") &&
         clock(text, pos, tm) && literal(text, pos, " ") && number(text, pos, 4, tm.tm_year) &&
         pos == text.size();
    tm.tm_year -= 1900;
  }
  if (!ok || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
      tm.tm_sec > 60) {
    return std::nullopt;
  }
  return ::timegm(&tm);
}

std::string describe(const SmsApiResult& r) {
  std::string out = "HTTP " + std::to_string(r.http_status);
  if (r.api_code != 0) out += ", code " + std::to_string(r.api_code);
  if (!r.api_message.empty()) out += ": " + r.api_message;
  return out;
}

}  // namespace

std::optional<std::chrono::seconds> parseRetryAfter(std::string_view value,
                                                    std::chrono::system_clock::time_point now) {
  value = trimmed(value);
  if (value.empty()) return std::nullopt;
  if (isDigit(value.front())) {
    long long seconds = 0;
    for (char c : value) {
      if (!isDigit(c)) return std::nullopt;
      seconds = std::min<long long>(seconds * 10 + (c - '0'), kSmsApiMaxRetryAfter.count());
    }
    return std::chrono::seconds(seconds);
  }
  std::optional<std::time_t> at = httpDate(value);
  if (!at) return std::nullopt;
  auto wait = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::system_clock::from_time_t(*at) - now);
  return std::clamp(wait, std::chrono::seconds(0), kSmsApiMaxRetryAfter);
}

SmsApiResult parseSmsApiResponse(int status, std::string_view body, std::string_view retry_after,
                                 std::chrono::system_clock::time_point now) {
  using Kind = SmsApiResult::Kind;
  SmsApiResult r;
  r.http_status = status;
  r.request_sent = true;
  r.retry_after = parseRetryAfter(retry_after, now);
  nlohmann::json json = body.size() <= kSmsApiMaxBody
                            ? nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false)
                            : nlohmann::json(nlohmann::json::value_t::discarded);
  bool object = json.is_object();
  if (object) {
    if (auto code = json.find("code"); code != json.end() && code->is_number_integer()) {
      r.api_code = code->get<int>();
    }
    if (auto message = json.find("message"); message != json.end() && message->is_string()) {
      r.api_message = printableAscii(message->get<std::string>(), kMaxApiMessage);
    }
  }
  if (status >= 200 && status < 300) {
    auto sid = object ? json.find("sid") : json.end();
    if (object && sid != json.end() && sid->is_string() && !sid->get<std::string>().empty()) {
      r.kind = Kind::kSent;
      r.message_id = printableAscii(sid->get<std::string>(), kMaxMessageId);
      r.detail = "HTTP " + std::to_string(status);
    } else {
      r.kind = Kind::kUnconfirmed;
      r.detail = "HTTP " + std::to_string(status) +
                 (object ? " without a message id" : " with an unreadable body");
    }
    return r;
  }
  if (status == 401 || status == 403) {
    r.kind = Kind::kAuthFailed;
  } else if (status == 429 || (status == 503 && r.retry_after)) {
    r.kind = Kind::kRateLimited;
  } else if (status >= 400 && status < 500 && isBadNumberCode(r.api_code)) {
    r.kind = Kind::kBadNumber;
  } else if (status == 400 || status == 422) {
    r.kind = Kind::kRefused;
  } else {
    r.kind = Kind::kServerError;
  }
  r.detail = describe(r);
  return r;
}

}  // namespace ts
