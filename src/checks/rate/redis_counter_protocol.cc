// The scripts read Redis's own clock (TIME), not the caller's: processes on several hosts
// then agree on every window even when their clocks drift. A script runs atomically, so
// the read-decide-write of GCRA needs no WATCH/MULTI, and every key carries an expiry equal
// to what LocalCounterStore would forget it at, so Redis holds nothing stale.
#include "checks/rate/redis_counter_protocol.h"

#include <fmt/format.h>

#include <algorithm>

namespace ts::redis {

// Lua numbers are doubles: microseconds since 1970 (about 2^51) stay exact, and
// string.format('%.0f') writes them back without an exponent.
const char* const kConsumeScript = R"lua(
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local window = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local allowed_at = tat - window + interval
if now < allowed_at then return {0, allowed_at - now} end
tat = tat + interval
redis.call('SET', KEYS[1], string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1000))
return {1, 0}
)lua";

const char* const kAddDistinctScript = R"lua(
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local window = tonumber(ARGV[2])
local cap = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%.0f', now - window))
redis.call('ZADD', KEYS[1], string.format('%.0f', now), ARGV[1])
local n = redis.call('ZCARD', KEYS[1])
if n > cap then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - cap - 1)
  n = cap
end
redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000))
return n
)lua";

const char* const kClearScript = R"lua(
if redis.replicate_commands then redis.replicate_commands() end
local cursor = '0'
local n = 0
repeat
  local r = redis.call('SCAN', cursor, 'MATCH', ARGV[1], 'COUNT', 1000)
  cursor = r[1]
  for _, k in ipairs(r[2]) do
    redis.call('UNLINK', k)
    n = n + 1
  end
until cursor == '0'
return n
)lua";

std::string keyFor(std::string_view key_prefix, std::string_view key) {
  std::string out;
  out.reserve(key_prefix.size() + key.size());
  out.append(key_prefix);
  out.append(key);
  return out;
}

std::string scanPatternFor(std::string_view key_prefix, std::string_view prefix) {
  std::string out;
  for (char c : keyFor(key_prefix, prefix)) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('*');
  return out;
}

GcraArguments gcraArguments(RateSpec rate) {
  std::int64_t window = std::chrono::duration_cast<std::chrono::microseconds>(rate.window).count();
  std::int64_t interval = rate.limit > 0 ? window / rate.limit : window;
  return GcraArguments{window, std::max<std::int64_t>(interval, 1)};
}

std::optional<RateAnswer> readConsumeReply(const redisReply* reply) {
  if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY || reply->elements != 2) {
    return std::nullopt;
  }
  const redisReply* allowed = reply->element[0];
  const redisReply* wait = reply->element[1];
  if (allowed->type != REDIS_REPLY_INTEGER || wait->type != REDIS_REPLY_INTEGER ||
      wait->integer < 0) {
    return std::nullopt;
  }
  if (allowed->integer == 1) return RateAnswer{};
  if (allowed->integer != 0) return std::nullopt;
  // As LocalCounterStore: whole seconds rounded up, never 0 for a refusal.
  auto wait_us = std::chrono::microseconds(wait->integer);
  auto seconds = std::chrono::ceil<std::chrono::seconds>(wait_us);
  return RateAnswer{false, std::max(seconds, std::chrono::seconds(1))};
}

std::optional<std::uint64_t> readCountReply(const redisReply* reply) {
  if (reply == nullptr || reply->type != REDIS_REPLY_INTEGER || reply->integer < 0) {
    return std::nullopt;
  }
  return static_cast<std::uint64_t>(reply->integer);
}

std::string describeReply(const redisReply* reply) {
  if (reply == nullptr) return "no reply";
  switch (reply->type) {
    case REDIS_REPLY_ERROR:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_STRING:
      return std::string(reply->str, reply->len);
    case REDIS_REPLY_INTEGER:
      return fmt::format("integer {}", reply->integer);
    case REDIS_REPLY_ARRAY:
      return fmt::format("array of {}", reply->elements);
    case REDIS_REPLY_NIL:
      return "nil";
    default:
      return fmt::format("reply type {}", reply->type);
  }
}

}  // namespace ts::redis
