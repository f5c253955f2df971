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
constexpr std::chrono::seconds kMaxDateWindow = std::chrono::hours(24 * 365);

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
    ConfigKey{
        "headers_date_max_age", "72h", "duration",
        "How old a message's Date may be before headers_date_action applies; at least 1m.", false,
        [](Config& c, const std::vector<std::string>& v) {
          return assignSeconds(c.headers.date_max_age, v, std::chrono::minutes(1), kMaxDateWindow);
        }},
    ConfigKey{"headers_date_max_future", "24h", "duration",
              "How far ahead of this host's clock a Date may be before headers_date_action "
              "applies; at least 1m.",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignSeconds(c.headers.date_max_future, v, std::chrono::minutes(1),
                                     kMaxDateWindow);
              }},
    ConfigKey{"headers_max_line_length", "998", "bytes",
              "Longest header line accepted, without its CR LF (RFC 5322 allows 998); "
              "78 to 1048576.",
              false,
              [](Config& c, const std::vector<std::string>& v) {
                return assignCount(c.headers.max_line_length, v, kMinLineLength, kMaxLineLength);
              }},
};

}  // namespace

std::span<const ConfigKey> headerConfigKeys() {
  return kKeys;
}

}  // namespace ts
