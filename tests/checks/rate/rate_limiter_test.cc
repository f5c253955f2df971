// The rate limits on an in-process store with a fake clock: which allowance is taken in
// which order, that the first refusal stops the rest, and that every refusal tells the
// sender's admin the limit and the UTC time to retry.
#include "checks/rate/rate_limiter.h"

#include <gtest/gtest.h>

#include "checks/rate/fake_clock.h"
#include "checks/rate/local_counter_store.h"
#include "util/time_words.h"

namespace ts {
namespace {

using namespace std::chrono_literals;
using testing::FakeClock;

// Records the keys consumed, then lets the local store answer.
class RecordingStore : public CounterStore {
 public:
  explicit RecordingStore(FakeClock& clock) : local_(clock.fn(), 1000, 100) {}
  void consume(std::string_view key, RateSpec rate, RateDone done) override {
    keys.emplace_back(key);
    local_.consume(key, rate, std::move(done));
  }
  void addDistinct(std::string_view key, std::uint64_t member, std::chrono::seconds window,
                   DistinctDone done) override {
    local_.addDistinct(key, member, window, std::move(done));
  }
  std::vector<CounterEntry> list(std::string_view prefix) const override {
    return local_.list(prefix);
  }
  std::size_t clear(std::string_view prefix) override { return local_.clear(prefix); }

  std::vector<std::string> keys;

 private:
  LocalCounterStore local_;
};

struct Fixture {
  FakeClock clock;
  RecordingStore store{clock};
  RateConfig config;
  RateLimiter limiter{config, store, clock.fn()};

  CheckResult admit(std::string client, std::string domain, std::string recipient) {
    CheckResult out;
    limiter.admitRecipient(RecipientRateInput{client, domain, recipient},
                           [&](CheckResult r) { out = std::move(r); });
    return out;
  }
  CheckResult identical(std::string_view sender, std::string_view recipient, std::uint64_t hash) {
    CheckResult out;
    limiter.admitIdentical(sender, recipient, hash, [&](CheckResult r) { out = std::move(r); });
    return out;
  }
};

TEST(RateLimiter, AllOffPassesAndCountsNothing) {
  Fixture f;
  for (int i = 0; i < 100; ++i) {
    CheckResult r = f.admit("192.0.2.1", "example.com", "15551234567");
    ASSERT_EQ(r.outcome, Outcome::kPass);
    EXPECT_EQ(r.check, "rate");
    EXPECT_EQ(f.identical("a@example.com", "15551234567", 1).outcome, Outcome::kPass);
  }
  EXPECT_TRUE(f.store.keys.empty());
}

TEST(RateLimiter, DomainLimitIsSharedByEveryAddressOfTheDomain) {
  Fixture f;
  f.config.per_sender_domain = {3, 1h};
  // The caller passes the domain: alerts@, noc@ and cron@ from any client all count once.
  EXPECT_EQ(f.admit("192.0.2.1", "example.com", "15550000001").outcome, Outcome::kPass);
  EXPECT_EQ(f.admit("192.0.2.2", "example.com", "15550000002").outcome, Outcome::kPass);
  EXPECT_EQ(f.admit("198.51.100.7", "example.com", "15550000003").outcome, Outcome::kPass);
  CheckResult r = f.admit("192.0.2.3", "example.com", "15550000004");
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_EQ(r.check, "rate_sender_domain");
  EXPECT_EQ(r.enhanced, "4.7.1");
  EXPECT_EQ(r.detail, "key=rate:domain:example.com limit=3/3600s");
  EXPECT_EQ(f.admit("192.0.2.3", "other.example", "15550000004").outcome, Outcome::kPass);
}

TEST(RateLimiter, ConsumesDomainClientRecipientInOrder) {
  Fixture f;
  f.config.per_sender_domain = {100, 1h};
  f.config.per_client = {100, 1h};
  f.config.per_recipient = {100, 1h};
  EXPECT_EQ(f.admit("192.0.2.1", "example.com", "15551234567").outcome, Outcome::kPass);
  EXPECT_EQ(f.store.keys,
            (std::vector<std::string>{"rate:domain:example.com", "rate:client:192.0.2.1",
                                      "rate:rcpt:15551234567"}));
  f.store.keys.clear();
  EXPECT_EQ(f.admit("192.0.2.1", "", "15551234567").outcome, Outcome::kPass);
  EXPECT_EQ(f.store.keys,
            (std::vector<std::string>{"rate:client:192.0.2.1", "rate:rcpt:15551234567"}))
      << "a null sender has no domain to count";
}

TEST(RateLimiter, SkipsLimitsThatAreOff) {
  Fixture f;
  f.config.per_recipient = {100, 1h};
  f.admit("192.0.2.1", "example.com", "15551234567");
  EXPECT_EQ(f.store.keys, (std::vector<std::string>{"rate:rcpt:15551234567"}));
}

TEST(RateLimiter, StopsAtTheFirstRefusal) {
  Fixture f;
  f.config.per_sender_domain = {1, 1h};
  f.config.per_client = {100, 1h};
  f.config.per_recipient = {100, 1h};
  f.admit("192.0.2.1", "example.com", "15551234567");
  f.store.keys.clear();
  CheckResult r = f.admit("192.0.2.1", "example.com", "15551234567");
  EXPECT_EQ(r.check, "rate_sender_domain");
  EXPECT_EQ(f.store.keys, (std::vector<std::string>{"rate:domain:example.com"}))
      << "a refused recipient takes nothing from the client's or recipient's allowance";
  EXPECT_EQ(f.store.list("rate:client:")[0].value, 1u);
}

TEST(RateLimiter, ClientAndRecipientRefusalsNameTheirCheck) {
  Fixture f;
  f.config.per_client = {1, 1h};
  f.config.per_recipient = {1, 10min};
  f.admit("192.0.2.1", "example.com", "15551234567");
  CheckResult client = f.admit("192.0.2.1", "example.com", "15550000000");
  EXPECT_EQ(client.check, "rate_client");
  EXPECT_NE(client.reason.find("more than 1 message an hour from your address 192.0.2.1"),
            std::string::npos)
      << client.reason;
  CheckResult rcpt = f.admit("192.0.2.9", "example.com", "15551234567");
  EXPECT_EQ(rcpt.check, "rate_recipient");
  EXPECT_NE(rcpt.reason.find("more than 1 message in 10 minutes to 15551234567"), std::string::npos)
      << rcpt.reason;
}

TEST(RateLimiter, ReasonSaysWhenToRetryInUtc) {
  Fixture f;                             // 13:53:00 UTC
  f.config.per_sender_domain = {5, 1h};  // one every 12 minutes
  for (int i = 0; i < 5; ++i) f.admit("192.0.2.1", "example.com", "15551234567");
  CheckResult r = f.admit("192.0.2.1", "example.com", "15551234567");
  EXPECT_EQ(r.reason,
            "Rate limit: more than 5 messages an hour from example.com; retry in 12 minutes "
            "(after 14:05 UTC). Spread your alerts out, or ask the gateway operator about a "
            "higher limit");
  f.clock.advance(11min + 30s);
  r = f.admit("192.0.2.1", "example.com", "15551234567");
  EXPECT_NE(r.reason.find("retry in 30 seconds (after 14:05 UTC)"), std::string::npos) << r.reason;
  f.clock.advance(30s);
  EXPECT_EQ(f.admit("192.0.2.1", "example.com", "15551234567").outcome, Outcome::kPass);
}

TEST(RateLimiter, IdenticalMessageLimit) {
  Fixture f;  // 13:53:00 UTC
  f.config.identical = {3, 10min};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(f.identical("cron@example.com", "15551234567", 0xab).outcome, Outcome::kPass);
  }
  CheckResult r = f.identical("cron@example.com", "15551234567", 0xab);
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_EQ(r.check, "rate_identical");
  EXPECT_EQ(r.enhanced, "4.7.1");
  EXPECT_EQ(r.reason,
            "The same message was sent to this recipient 3 times in 10 minutes; retry in 4 "
            "minutes (after 13:57 UTC). Check the sending job for a loop (a cron job firing too "
            "often)");
  EXPECT_EQ(f.store.keys.back(), "rate:same:cron@example.com|15551234567|00000000000000ab");
  // Another body, another recipient or another sender is another count.
  EXPECT_EQ(f.identical("cron@example.com", "15551234567", 0xac).outcome, Outcome::kPass);
  EXPECT_EQ(f.identical("cron@example.com", "15550000000", 0xab).outcome, Outcome::kPass);
  EXPECT_EQ(f.identical("noc@example.com", "15551234567", 0xab).outcome, Outcome::kPass);
}

TEST(RateLimiterWords, Durations) {
  EXPECT_EQ(durationWords(1s), "a second");
  EXPECT_EQ(durationWords(90s), "90 seconds");
  EXPECT_EQ(durationWords(60s), "a minute");
  EXPECT_EQ(durationWords(10min), "10 minutes");
  EXPECT_EQ(durationWords(1h), "an hour");
  EXPECT_EQ(durationWords(6h), "6 hours");
  EXPECT_EQ(durationWords(24h), "a day");
  EXPECT_EQ(durationWords(48h), "2 days");
}

TEST(RateLimiterWords, WaitsRoundUp) {
  EXPECT_EQ(waitWords(1s), "1 second");
  EXPECT_EQ(waitWords(59s), "59 seconds");
  EXPECT_EQ(waitWords(60s), "1 minute");
  EXPECT_EQ(waitWords(61s), "2 minutes");
  EXPECT_EQ(waitWords(119min), "119 minutes");
  EXPECT_EQ(waitWords(2h), "2 hours");
  EXPECT_EQ(waitWords(2h + 4min + 1s), "2 hours 5 minutes");
}

TEST(RateLimiterWords, UtcTimeCarriesTheDateOnAnotherDay) {
  FakeClock clock;  // 2024-05-02 13:53:00 UTC
  EXPECT_EQ(utcTimeWords(clock.now + 1s, clock.now), "13:54 UTC");
  EXPECT_EQ(utcTimeWords(clock.now + 12h, clock.now), "2024-05-03 01:53 UTC");
}

}  // namespace
}  // namespace ts
