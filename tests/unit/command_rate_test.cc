// The per-connection command rate: a fixed one-minute window, off at 0.
#include "smtp/command_rate.h"

#include <gtest/gtest.h>

namespace ts::smtp {
namespace {

using namespace std::chrono_literals;

TEST(CommandRate, LimitPerMinute) {
  CommandRate rate(3);
  CommandRate::Clock::time_point t0{1h};
  EXPECT_TRUE(rate.note(t0));
  EXPECT_TRUE(rate.note(t0 + 10s));
  EXPECT_TRUE(rate.note(t0 + 20s));
  EXPECT_FALSE(rate.note(t0 + 30s));
  EXPECT_EQ(rate.count(), 4u);
  // A new minute, a new allowance.
  EXPECT_TRUE(rate.note(t0 + 60s));
  EXPECT_EQ(rate.count(), 1u);
}

TEST(CommandRate, ZeroIsNoLimit) {
  CommandRate rate(0);
  CommandRate::Clock::time_point t0{1h};
  for (int i = 0; i < 10000; ++i) ASSERT_TRUE(rate.note(t0));
}

TEST(CommandRate, WindowStartsAtTheFirstCommand) {
  CommandRate rate(2);
  CommandRate::Clock::time_point t0{1h};
  EXPECT_TRUE(rate.note(t0 + 59s));
  EXPECT_TRUE(rate.note(t0 + 61s));
  EXPECT_FALSE(rate.note(t0 + 62s));  // same window: it began at 59s
}

}  // namespace
}  // namespace ts::smtp
