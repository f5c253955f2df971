// The penalty box with a fake clock: penalties end on time, are never shortened, are
// listed by end time, can be cleared, and a full box drops the one ending first.
#include "checks/abuse/penalty_box.h"

#include <gtest/gtest.h>

#include "checks/rate/fake_clock.h"

namespace ts {
namespace {

using namespace std::chrono_literals;
using testing::FakeClock;

TEST(PenaltyBox, HoldsUntilThePenaltyEnds) {
  FakeClock clock;
  PenaltyBox box(clock.fn(), 10);
  box.add("192.0.2.1", 10min, "too many RSET commands");
  auto p = box.find("192.0.2.1");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->client, "192.0.2.1");
  EXPECT_EQ(p->reason, "too many RSET commands");
  EXPECT_EQ(p->since, clock.now);
  EXPECT_EQ(p->until, clock.now + 10min);
  EXPECT_FALSE(box.find("192.0.2.2"));
  clock.advance(10min - 1s);
  EXPECT_TRUE(box.find("192.0.2.1"));
  clock.advance(1s);
  EXPECT_FALSE(box.find("192.0.2.1"));
  EXPECT_TRUE(box.list().empty()) << "an expired penalty is dropped";
}

TEST(PenaltyBox, ANewPenaltyNeverShortensTheOld) {
  FakeClock clock;
  PenaltyBox box(clock.fn(), 10);
  box.add("192.0.2.1", 1h, "first");
  clock.advance(1min);
  box.add("192.0.2.1", 10min, "second");
  auto p = box.find("192.0.2.1");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->reason, "second");
  EXPECT_EQ(p->until, clock.now - 1min + 1h);
  clock.advance(1h);
  box.add("192.0.2.1", 10min, "third");
  clock.advance(5min);
  box.add("192.0.2.1", 10min, "fourth");
  EXPECT_EQ(box.find("192.0.2.1")->until, clock.now + 10min) << "a longer one extends it";
  EXPECT_EQ(box.list().size(), 1u);
}

TEST(PenaltyBox, ZeroDurationAddsNothing) {
  FakeClock clock;
  PenaltyBox box(clock.fn(), 10);
  box.add("192.0.2.1", 0s, "off");
  EXPECT_FALSE(box.find("192.0.2.1"));
}

TEST(PenaltyBox, ListIsSortedByEnd) {
  FakeClock clock;
  PenaltyBox box(clock.fn(), 10);
  box.add("192.0.2.1", 30min, "a");
  box.add("192.0.2.2", 10min, "b");
  box.add("192.0.2.3", 20min, "c");
  auto all = box.list();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].client, "192.0.2.2");
  EXPECT_EQ(all[1].client, "192.0.2.3");
  EXPECT_EQ(all[2].client, "192.0.2.1");
}

TEST(PenaltyBox, FullBoxDropsThePenaltyEndingFirst) {
  FakeClock clock;
  PenaltyBox box(clock.fn(), 2);
  box.add("192.0.2.1", 30min, "a");
  box.add("192.0.2.2", 10min, "b");
  box.add("192.0.2.3", 20min, "c");
  EXPECT_FALSE(box.find("192.0.2.2"));
  EXPECT_TRUE(box.find("192.0.2.1"));
  EXPECT_TRUE(box.find("192.0.2.3"));
  box.add("192.0.2.3", 40min, "c again");  // a client already in takes no one's place
  EXPECT_EQ(box.list().size(), 2u);
}

TEST(PenaltyBox, ClearOneOrAll) {
  FakeClock clock;
  PenaltyBox box(clock.fn(), 10);
  box.add("192.0.2.1", 10min, "a");
  box.add("192.0.2.2", 10min, "b");
  box.add("2001:db8::1", 10min, "c");
  EXPECT_EQ(box.clear("192.0.2.9"), 0u);
  EXPECT_EQ(box.clear("192.0.2.1"), 1u);
  EXPECT_FALSE(box.find("192.0.2.1"));
  EXPECT_TRUE(box.find("192.0.2.2"));
  EXPECT_EQ(box.clear(""), 2u);
  EXPECT_TRUE(box.list().empty());
}

}  // namespace
}  // namespace ts
