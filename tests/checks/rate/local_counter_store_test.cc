// The in-process counter store against a fake clock: GCRA bursts and steady rates, exact
// retry times, refused events left uncounted, sliding distinct counts, and the bounds on
// keys and members that keep its memory fixed.
#include "checks/rate/local_counter_store.h"

#include <gtest/gtest.h>

#include "checks/rate/fake_clock.h"

namespace ts {
namespace {

using namespace std::chrono_literals;
using testing::FakeClock;

RateAnswer take(LocalCounterStore& store, std::string_view key, RateSpec rate) {
  RateAnswer out;
  bool answered = false;
  store.consume(key, rate, [&](RateAnswer a) {
    out = a;
    answered = true;
  });
  EXPECT_TRUE(answered) << "the local store answers before returning";
  return out;
}

std::uint64_t add(LocalCounterStore& store, std::string_view key, std::uint64_t member,
                  std::chrono::seconds window) {
  std::uint64_t out = 0;
  store.addDistinct(key, member, window, [&](std::uint64_t n) { out = n; });
  return out;
}

TEST(LocalCounterStore, BurstThenSteadyRate) {
  FakeClock clock;
  LocalCounterStore store(clock.fn(), 100, 100);
  RateSpec rate{3, 60s};  // one every 20s, bursts of 3
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(take(store, "k", rate).allowed) << i;
  RateAnswer refused = take(store, "k", rate);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, 20s);
  for (int round = 0; round < 5; ++round) {
    clock.advance(20s);
    EXPECT_TRUE(take(store, "k", rate).allowed) << round;
    EXPECT_FALSE(take(store, "k", rate).allowed) << round;
  }
  clock.advance(60s);  // idle for a window: the full burst is back
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(take(store, "k", rate).allowed) << i;
  EXPECT_FALSE(take(store, "k", rate).allowed);
}

TEST(LocalCounterStore, RetryAfterIsExactAndRoundedUp) {
  FakeClock clock;
  LocalCounterStore store(clock.fn(), 100, 100);
  RateSpec rate{10, 1h};  // one every 6 minutes
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(take(store, "k", rate).allowed);
  clock.advance(100s);
  EXPECT_EQ(take(store, "k", rate).retry_after, 260s);
  clock.advance(259s + 500ms);
  RateAnswer almost = take(store, "k", rate);
  EXPECT_FALSE(almost.allowed);
  EXPECT_EQ(almost.retry_after, 1s) << "half a second left is never 'retry in 0s'";
  clock.advance(500ms);
  EXPECT_TRUE(take(store, "k", rate).allowed);
  EXPECT_EQ(take(store, "k", rate).retry_after, 360s);
}

TEST(LocalCounterStore, RefusedEventsAreNotCounted) {
  FakeClock clock;
  LocalCounterStore store(clock.fn(), 100, 100);
  RateSpec rate{2, 10s};
  take(store, "k", rate);
  take(store, "k", rate);
  for (int i = 0; i < 100; ++i) ASSERT_FALSE(take(store, "k", rate).allowed);
  clock.advance(5s);
  EXPECT_TRUE(take(store, "k", rate).allowed) << "a client that waits as told gets through";
}

TEST(LocalCounterStore, ZeroLimitIsUnlimitedAndKeepsNothing) {
  FakeClock clock;
  LocalCounterStore store(clock.fn(), 100, 100);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(take(store, "k", RateSpec{0, 60s}).allowed);
  EXPECT_TRUE(store.list("").empty());
}

TEST(LocalCounterStore, DistinctCountsSlideWithTime) {
  FakeClock clock;
  LocalCounterStore store(clock.fn(), 100, 100);
  EXPECT_EQ(add(store, "d", 0xA, 60s), 1u);
  clock.advance(10s);
  EXPECT_EQ(add(store, "d", 0xB, 60s), 2u);
  clock.advance(20s);
  EXPECT_EQ(add(store, "d", 0xC, 60s), 3u);
  EXPECT_EQ(add(store, "d", 0xA, 60s), 3u) << "a member seen again counts once";
  clock.advance(35s);  // t = 65: B (seen at 10) is still in, A was refreshed at 30
  EXPECT_EQ(add(store, "d", 0xD, 60s), 4u);
  clock.advance(6s);  // t = 71: B (10) is out
  EXPECT_EQ(add(store, "d", 0xD, 60s), 3u);
  clock.advance(61s);  // everything but this one is out
  EXPECT_EQ(add(store, "d", 0xE, 60s), 1u);
}

TEST(LocalCounterStore, MemberCapSaturatesTheCount) {
  FakeClock clock;
  LocalCounterStore store(clock.fn(), 100, 3);
  std::uint64_t counts[5];
  for (std::uint64_t m = 0; m < 5; ++m) {
    counts[m] = add(store, "d", m, 60s);
    clock.advance(1s);
  }
  EXPECT_EQ(counts[2], 3u);
  EXPECT_EQ(counts[3], 3u);
  EXPECT_EQ(counts[4], 3u);
  // The oldest members (0 and 1) gave way: member 2 is still known and counts once.
  EXPECT_EQ(add(store, "d", 2, 60s), 3u);
  auto entries = store.list("d");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].value, 3u);
}

TEST(LocalCounterStore, KeyBoundForgetsTheLeastRecentlyUsed) {
  FakeClock clock;
  LocalCounterStore store(clock.fn(), 2, 100);
  RateSpec rate{1, 1h};
  take(store, "a", rate);
  take(store, "b", rate);
  EXPECT_FALSE(take(store, "a", rate).allowed);  // a refused use still counts as recent
  take(store, "c", rate);                        // b goes
  auto entries = store.list("");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].key, "a");
  EXPECT_EQ(entries[1].key, "c");
  EXPECT_TRUE(take(store, "b", rate).allowed) << "a forgotten key starts afresh";
  EXPECT_FALSE(take(store, "c", rate).allowed);
}

TEST(LocalCounterStore, ListShowsWhatIsCounted) {
  FakeClock clock;
  LocalCounterStore store(clock.fn(), 100, 100);
  RateSpec rate{3, 60s};
  take(store, "rate:client:192.0.2.1", rate);
  take(store, "rate:client:192.0.2.1", rate);
  add(store, "surge:x", 1, 30s);
  add(store, "surge:x", 2, 30s);
  clock.advance(10s);
  auto entries = store.list("");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].key, "rate:client:192.0.2.1");
  EXPECT_EQ(entries[0].kind, "rate");
  EXPECT_EQ(entries[0].value, 2u);  // TAT is 30s ahead, one event per 20s
  EXPECT_EQ(entries[0].expires_in, 30s);
  EXPECT_EQ(entries[1].key, "surge:x");
  EXPECT_EQ(entries[1].kind, "distinct");
  EXPECT_EQ(entries[1].value, 2u);
  EXPECT_EQ(entries[1].expires_in, 20s);
  EXPECT_EQ(store.list("rate:").size(), 1u);
  EXPECT_TRUE(store.list("rate:domain:").empty());
  clock.advance(25s);
  entries = store.list("");
  ASSERT_EQ(entries.size(), 1u) << "expired state is not listed";
  EXPECT_EQ(entries[0].value, 1u);
}

TEST(LocalCounterStore, ClearByPrefix) {
  FakeClock clock;
  LocalCounterStore store(clock.fn(), 100, 100);
  RateSpec rate{1, 1h};
  take(store, "rate:client:192.0.2.1", rate);
  take(store, "rate:client:192.0.2.2", rate);
  take(store, "rate:domain:example.com", rate);
  add(store, "surge:x", 1, 60s);
  EXPECT_EQ(store.clear("rate:client:"), 2u);
  EXPECT_TRUE(take(store, "rate:client:192.0.2.1", rate).allowed);
  EXPECT_FALSE(take(store, "rate:domain:example.com", rate).allowed);
  EXPECT_EQ(store.clear("nothing"), 0u);
  EXPECT_EQ(store.clear(""), 3u);
  EXPECT_TRUE(store.list("").empty());
  EXPECT_TRUE(take(store, "rate:domain:example.com", rate).allowed);
}

TEST(LocalCounterStore, PruneDropsExpiredKeys) {
  FakeClock clock;
  LocalCounterStore store(clock.fn(), 100, 100);
  take(store, "short", RateSpec{2, 10s});  // TAT 5s ahead
  take(store, "long", RateSpec{2, 1h});    // TAT 30 minutes ahead
  add(store, "distinct", 1, 60s);
  clock.advance(5s);
  EXPECT_EQ(store.prune(), 1u);
  clock.advance(60s);
  EXPECT_EQ(store.prune(), 1u);
  auto entries = store.list("");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].key, "long");
  clock.advance(1h);
  EXPECT_EQ(store.prune(), 1u);
  EXPECT_EQ(store.prune(), 0u);
}

}  // namespace
}  // namespace ts
