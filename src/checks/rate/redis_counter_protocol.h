// What textscreen's counters look like in Redis: the Lua scripts that keep one GCRA time
// point per rate key and one sorted set per distinct key, their arguments, and how their
// replies read. Pure functions, so the arithmetic is tested without a Redis.
#pragma once

#include <hiredis/hiredis.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "checks/rate/counter_store.h"

namespace ts::redis {

// KEYS[1] the rate key; ARGV window and interval in microseconds. Answers {1, 0} when the
// event is counted, {0, microseconds until it would be}.
extern const char* const kConsumeScript;
// KEYS[1] the distinct key; ARGV member, window in microseconds, most members kept.
// Answers how many distinct members the window holds now.
extern const char* const kAddDistinctScript;
// ARGV[1] a SCAN pattern; unlinks every key it matches and answers how many.
extern const char* const kClearScript;

// The key in Redis: the fleet's prefix, then the store's own key ("rate:domain:x.example").
std::string keyFor(std::string_view key_prefix, std::string_view key);
// A SCAN pattern matching exactly the keys that start with key_prefix + prefix: the glob
// characters of either are escaped, so clearing "rate:client:[::1]" forgets only that key.
std::string scanPatternFor(std::string_view key_prefix, std::string_view prefix);

// GCRA's two numbers in microseconds, as LocalCounterStore spaces events: the window and
// window / limit (at least 1, so a limit above the window's microseconds still counts).
struct GcraArguments {
  std::int64_t window_us = 0;
  std::int64_t interval_us = 0;
};
GcraArguments gcraArguments(RateSpec rate);

// The answer of kConsumeScript; nullopt when the reply is not one (an error, a stray type):
// the caller counts that as Redis failing.
std::optional<RateAnswer> readConsumeReply(const redisReply* reply);
// The answer of kAddDistinctScript or kClearScript: a non-negative integer.
std::optional<std::uint64_t> readCountReply(const redisReply* reply);
// Words for a reply that is not what the script answers, for the log ("ERR ...").
std::string describeReply(const redisReply* reply);

}  // namespace ts::redis
