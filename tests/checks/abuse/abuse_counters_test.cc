// The abuse counters: each limit fires one step past it, the error window is shared by a
// client's sessions through the counter store, and over_limit fires at most once, even
// when a remote store answers after the session is gone.
#include "checks/abuse/abuse_counters.h"

#include <gtest/gtest.h>

#include <optional>

#include "checks/rate/fake_clock.h"
#include "checks/rate/local_counter_store.h"
#include "config/config.h"
#include "unit/config_file.h"

namespace ts {
namespace {

using namespace std::chrono_literals;
using testing::FakeClock;

struct Fixture {
  FakeClock clock;
  LocalCounterStore store{clock.fn(), 1000, 100};
  AbuseConfig config;
  std::vector<std::string> reasons;

  AbuseCounters::OverLimit record() {
    return [this](std::string reason) { reasons.push_back(std::move(reason)); };
  }
};

TEST(AbuseCounters, OffByDefault) {
  Fixture f;
  AbuseCounters counters(f.config, f.store, "192.0.2.1");
  for (int i = 0; i < 1000; ++i) {
    counters.note(AbuseEvent::kRset, f.record());
    counters.note(AbuseEvent::kBadRecipient, f.record());
    counters.note(AbuseEvent::kError, f.record());
  }
  EXPECT_TRUE(f.reasons.empty());
  EXPECT_TRUE(f.store.list("").empty());
}

TEST(AbuseCounters, TooManyRsets) {
  Fixture f;
  f.config.max_rsets = 2;
  AbuseCounters counters(f.config, f.store, "192.0.2.1");
  counters.note(AbuseEvent::kRset, f.record());
  counters.note(AbuseEvent::kRset, f.record());
  EXPECT_TRUE(f.reasons.empty());
  counters.note(AbuseEvent::kRset, f.record());
  ASSERT_EQ(f.reasons.size(), 1u);
  EXPECT_EQ(f.reasons[0], "too many RSET commands: 3 in one session, the limit is 2");
  counters.note(AbuseEvent::kRset, f.record());
  EXPECT_EQ(f.reasons.size(), 1u) << "at most once per session";
}

TEST(AbuseCounters, TooManyRefusedRecipients) {
  Fixture f;
  f.config.max_bad_recipients = 1;
  AbuseCounters counters(f.config, f.store, "192.0.2.1");
  counters.note(AbuseEvent::kBadRecipient, f.record());
  counters.note(AbuseEvent::kBadRecipient, f.record());
  ASSERT_EQ(f.reasons.size(), 1u);
  EXPECT_EQ(f.reasons[0], "too many refused recipients: 2 in one session, the limit is 1");
}

TEST(AbuseCounters, ErrorsCountAcrossSessionsOfOneClient) {
  Fixture f;
  f.config.max_window_errors = 3;
  f.config.window = 10min;
  {
    AbuseCounters first(f.config, f.store, "192.0.2.1");
    first.note(AbuseEvent::kError, f.record());
    first.note(AbuseEvent::kError, f.record());
  }
  AbuseCounters other(f.config, f.store, "192.0.2.2");
  other.note(AbuseEvent::kError, f.record());
  AbuseCounters second(f.config, f.store, "192.0.2.1");
  second.note(AbuseEvent::kError, f.record());
  EXPECT_TRUE(f.reasons.empty());
  second.note(AbuseEvent::kError, f.record());
  ASSERT_EQ(f.reasons.size(), 1u);
  EXPECT_EQ(f.reasons[0], "too many errors from your address: more than 3 in 10 minutes");
  EXPECT_EQ(f.store.list("abuse:192.0.2.1").size(), 1u);
  second.note(AbuseEvent::kError, f.record());
  EXPECT_EQ(f.reasons.size(), 1u);
}

TEST(AbuseCounters, FailedAuthCountsAcrossSessionsAndIsOnByDefault) {
  Fixture f;
  EXPECT_EQ(f.config.max_auth_failures, 5u);
  f.config.max_auth_failures = 2;
  {
    AbuseCounters first(f.config, f.store, "192.0.2.1");
    first.note(AbuseEvent::kAuthFailure, f.record());
    first.note(AbuseEvent::kAuthFailure, f.record());
  }
  EXPECT_TRUE(f.reasons.empty());
  AbuseCounters second(f.config, f.store, "192.0.2.1");
  second.note(AbuseEvent::kAuthFailure, f.record());
  ASSERT_EQ(f.reasons.size(), 1u);
  EXPECT_EQ(f.reasons[0],
            "too many failed AUTH attempts from your address: more than 2 in 10 minutes");
  EXPECT_EQ(f.store.list("auth:192.0.2.1").size(), 1u);
  EXPECT_TRUE(f.store.list("abuse:").empty()) << "not counted as errors";
}

TEST(AbuseCounters, OnceOnlyAcrossLimits) {
  Fixture f;
  f.config.max_rsets = 1;
  f.config.max_bad_recipients = 1;
  f.config.max_window_errors = 1;
  AbuseCounters counters(f.config, f.store, "192.0.2.1");
  counters.note(AbuseEvent::kRset, f.record());
  counters.note(AbuseEvent::kRset, f.record());
  counters.note(AbuseEvent::kBadRecipient, f.record());
  counters.note(AbuseEvent::kBadRecipient, f.record());
  counters.note(AbuseEvent::kError, f.record());
  counters.note(AbuseEvent::kError, f.record());
  ASSERT_EQ(f.reasons.size(), 1u);
  EXPECT_NE(f.reasons[0].find("RSET"), std::string::npos);
}

// Holds each answer until the test releases it, as a remote store would.
class DeferredStore : public CounterStore {
 public:
  void consume(std::string_view, RateSpec, RateDone done) override {
    pending.push_back(std::move(done));
  }
  void addDistinct(std::string_view, std::uint64_t, std::chrono::seconds,
                   DistinctDone done) override {
    done(0);
  }
  std::vector<CounterEntry> list(std::string_view) const override { return {}; }
  std::size_t clear(std::string_view) override { return 0; }

  std::vector<RateDone> pending;
};

TEST(AbuseCounters, LateAnswersStillFireOnce) {
  DeferredStore store;
  AbuseConfig config;
  config.max_window_errors = 1;
  std::vector<std::string> reasons;
  auto record = [&](std::string r) { reasons.push_back(std::move(r)); };
  {
    AbuseCounters counters(config, store, "192.0.2.1");
    counters.note(AbuseEvent::kError, record);
    counters.note(AbuseEvent::kError, record);
    counters.note(AbuseEvent::kError, record);
  }
  ASSERT_EQ(store.pending.size(), 3u);
  store.pending[0](RateAnswer{});
  store.pending[1](RateAnswer{false, std::chrono::seconds(600)});
  store.pending[2](RateAnswer{false, std::chrono::seconds(600)});
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_EQ(reasons[0], "too many errors from your address: more than 1 in 10 minutes");
}

TEST(AbuseCountersConfig, DefaultsAreOff) {
  auto c = loadConfig(Invocation{});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->abuse.max_rsets, 0u);
  EXPECT_EQ(c->abuse.max_bad_recipients, 0u);
  EXPECT_EQ(c->abuse.max_window_errors, 0u);
  EXPECT_EQ(c->abuse.window, 10min);
  EXPECT_EQ(c->abuse.penalty_time, 10min);
}

TEST(AbuseCountersConfig, KeysParse) {
  auto c = ts::testing::loadWith(
      "abuse_max_rsets = 20\n"
      "abuse_max_bad_recipients = 10\n"
      "abuse_max_window_errors = 50\n"
      "abuse_window = 1h\n"
      "penalty_time = 0\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->abuse.max_rsets, 20u);
  EXPECT_EQ(c->abuse.max_bad_recipients, 10u);
  EXPECT_EQ(c->abuse.max_window_errors, 50u);
  EXPECT_EQ(c->abuse.window, 1h);
  EXPECT_EQ(c->abuse.penalty_time, 0s) << "0 turns the penalty box off";
}

TEST(AbuseCountersConfig, BadValuesNameTheirKey) {
  const char* cases[][2] = {
      {"abuse_max_rsets", "x"},   {"abuse_max_bad_recipients", "-3"},
      {"abuse_window", "0"},      {"abuse_max_window_errors", "9999999"},
      {"penalty_time", "2500ms"}, {"penalty_time", "90d"},
  };
  for (const auto& [key, value] : cases) {
    auto c = ts::testing::loadWith("", {std::string(key) + "=" + value});
    ASSERT_FALSE(c.ok()) << key << "=" << value;
    EXPECT_NE(c.error().message.find(key), std::string::npos) << c.error().message;
  }
}

}  // namespace
}  // namespace ts
