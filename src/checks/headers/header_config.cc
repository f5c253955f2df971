// The header compliance check's keys. Both actions start at off: many legitimate alerting
// systems write sloppy headers, so an operator turns this on after watching what it finds.
#include "checks/headers/header_config.h"

#include <array>
#include <cstdint>

#include "config/config_table.h"
#include "config/key_setters.h"
#include "config/value_parsers.h"

namespace ts {
namespace {

// Shorter than RFC 5322's recommended 78 would flag compliant mail; longer than 1 MB
// means no limit at all, which headers_action = off already says more clearly.
constexpr std::uint64_t kMinLineLength = 78;
constexpr std::uint64_t kMaxLineLength = 1024 * 1024;

Status<> assignAge(std::chrono::seconds& out, const std::vector<std::string>& values) {
  auto v = singleValue(values);
  if (!v) return fail(v.error());
  auto d = parseDuration(*v);
  if (!d) return fail(d.error());
  if (*d < std::chrono::minutes(1)) return fail(std::string("must be at least 1m"));
  out = std::chrono::duration_cast<std::chrono::seconds>(*d);
  return Ok{};
}

Status<> assignLineLength(std::size_t& out, const std::vector<std::string>& values) {
  auto v = singleValue(values);
  if (!v) return fail(v.error());
  auto n = parseCount(*v);
  if (!n) return fail(n.error());
  if (*n < kMinLineLength || *n > kMaxLineLength) {
    return fail(std::string("must be between 78 and 1048576 bytes"));
  }
  out = static_cast<std::size_t>(*n);
  return Ok{};
}

constexpr std::array kKeys = {
    ConfigKey{"headers_action", "off", "action",
              "What a malformed header section leads to (no Date, unreadable Date, bad or "
              "repeated Message-ID, From missing or repeated, 8-bit bytes without SMTPUTF8, "
              "an overlong line): off, observe, score, tempfail, reject, quarantine.",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignAction(c.headers.action, v);
              }},
    ConfigKey{"headers_score", "2", "score",
              "Score each header problem adds when its action is score (also used for a Date "
              "out of range).",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignScore(c.headers.score, v);
              }},
    ConfigKey{"headers_date_action", "off", "action",
              "What a Date older than headers_date_max_age or further ahead than "
              "headers_date_max_future leads to (a stale alert, or a sender with a wrong "
              "clock): off, observe, score, tempfail, reject, quarantine.",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignAction(c.headers.date_action, v);
              }},
    ConfigKey{"headers_date_max_age", "72h", "duration",
              "How old a message's Date may be before headers_date_action applies; at least 1m.",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignAge(c.headers.date_max_age, v);
              }},
    ConfigKey{"headers_date_max_future", "24h", "duration",
              "How far ahead of this host's clock a Date may be before headers_date_action "
              "applies; at least 1m.",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignAge(c.headers.date_max_future, v);
              }},
    ConfigKey{"headers_max_line_length", "998", "bytes",
              "Longest header line accepted, without its CR LF (RFC 5322 allows 998); "
              "78 to 1048576.",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignLineLength(c.headers.max_line_length, v);
              }},
};

}  // namespace

std::span<const ConfigKey> headerConfigKeys() {
  return kKeys;
}

}  // namespace ts
