// The pure half of the Redis counters: key names and SCAN patterns (escaped, so a clear
// forgets only what it names), GCRA's arguments as LocalCounterStore spaces events, and
// the script replies read strictly (anything unexpected is a Redis fault, not an answer).
#include "checks/rate/redis_counter_protocol.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace ts::redis {
namespace {

using namespace std::chrono_literals;

redisReply integer(long long n) {
  redisReply r{};
  r.type = REDIS_REPLY_INTEGER;
  r.integer = n;
  return r;
}

// An array reply over the given elements (which must outlive it).
struct ArrayReply {
  std::vector<redisReply*> pointers;
  redisReply reply{};
  explicit ArrayReply(std::vector<redisReply*> elements) : pointers(std::move(elements)) {
    reply.type = REDIS_REPLY_ARRAY;
    reply.elements = pointers.size();
    reply.element = pointers.data();
  }
};

TEST(RedisCounterProtocol, KeysCarryTheFleetPrefix) {
  EXPECT_EQ(keyFor("textscreen:", "rate:domain:example.com"), "textscreen:rate:domain:example.com");
  EXPECT_EQ(keyFor("", "surge:net:198.51.100.0/24"), "surge:net:198.51.100.0/24");
}

TEST(RedisCounterProtocol, ScanPatternsEscapeGlobCharacters) {
  EXPECT_EQ(scanPatternFor("textscreen:", "rate:domain:"), "textscreen:rate:domain:*");
  EXPECT_EQ(scanPatternFor("textscreen:", ""), "textscreen:*");
  // An IPv6 client key holds brackets; a prefix may hold any of * ? [ ] and backslash.
  EXPECT_EQ(scanPatternFor("ts:", "rate:client:[::1]"), "ts:rate:client:\\[::1\\]*");
  EXPECT_EQ(scanPatternFor("a*b?", "\\"), "a\\*b\\?\\\\*");
}

TEST(RedisCounterProtocol, GcraArgumentsInMicroseconds) {
  GcraArguments hourly = gcraArguments(RateSpec{300, 1h});
  EXPECT_EQ(hourly.window_us, 3600LL * 1000000);
  EXPECT_EQ(hourly.interval_us, 12LL * 1000000);  // one event every 12 s
  GcraArguments third = gcraArguments(RateSpec{3, 10s});
  EXPECT_EQ(third.interval_us, 3333333);  // truncated, as window / limit is locally
  // A limit beyond the window's microseconds still spaces events by at least 1 us.
  EXPECT_EQ(gcraArguments(RateSpec{1000000, 1s}).interval_us, 1);
  EXPECT_EQ(gcraArguments(RateSpec{2000000, 1s}).interval_us, 1);
}

TEST(RedisCounterProtocol, ConsumeReplyAllowed) {
  redisReply yes = integer(1), zero = integer(0);
  ArrayReply reply({&yes, &zero});
  auto answer = readConsumeReply(&reply.reply);
  ASSERT_TRUE(answer.has_value());
  EXPECT_TRUE(answer->allowed);
  EXPECT_EQ(answer->retry_after, 0s);
}

TEST(RedisCounterProtocol, ConsumeReplyRefusedRoundsTheWaitUp) {
  redisReply no = integer(0);
  redisReply wait = integer(11500000);  // 11.5 s
  ArrayReply reply({&no, &wait});
  auto answer = readConsumeReply(&reply.reply);
  ASSERT_TRUE(answer.has_value());
  EXPECT_FALSE(answer->allowed);
  EXPECT_EQ(answer->retry_after, 12s);
  // A refusal is never "retry in 0 seconds".
  redisReply soon = integer(3);
  ArrayReply almost({&no, &soon});
  EXPECT_EQ(readConsumeReply(&almost.reply)->retry_after, 1s);
}

TEST(RedisCounterProtocol, ConsumeReplyRejectsWhatIsNotAnAnswer) {
  EXPECT_FALSE(readConsumeReply(nullptr).has_value());
  redisReply error{};
  char text[] = "NOSCRIPT No matching script";
  error.type = REDIS_REPLY_ERROR;
  error.str = text;
  error.len = std::strlen(text);
  EXPECT_FALSE(readConsumeReply(&error).has_value());
  EXPECT_EQ(describeReply(&error), "NOSCRIPT No matching script");
  redisReply one = integer(1), two = integer(2), negative = integer(-5);
  ArrayReply short_array({&one});
  EXPECT_FALSE(readConsumeReply(&short_array.reply).has_value());
  ArrayReply odd_flag({&two, &one});
  EXPECT_FALSE(readConsumeReply(&odd_flag.reply).has_value());
  ArrayReply negative_wait({&one, &negative});
  EXPECT_FALSE(readConsumeReply(&negative_wait.reply).has_value());
  ArrayReply string_flag({&error, &one});
  EXPECT_FALSE(readConsumeReply(&string_flag.reply).has_value());
  EXPECT_EQ(describeReply(&short_array.reply), "array of 1");
}

TEST(RedisCounterProtocol, CountReply) {
  redisReply n = integer(42), negative = integer(-1);
  EXPECT_EQ(readCountReply(&n), 42u);
  EXPECT_FALSE(readCountReply(&negative).has_value());
  EXPECT_FALSE(readCountReply(nullptr).has_value());
  redisReply nil{};
  nil.type = REDIS_REPLY_NIL;
  EXPECT_FALSE(readCountReply(&nil).has_value());
  EXPECT_EQ(describeReply(&nil), "nil");
  EXPECT_EQ(describeReply(nullptr), "no reply");
}

}  // namespace
}  // namespace ts::redis
