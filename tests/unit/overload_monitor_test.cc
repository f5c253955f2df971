// Overload spells: one begins with the first refusal and ends at the first review that
// saw no refusal, so a server stuck at its limit logs a few lines, not one per client.
#include "net/overload_monitor.h"

#include <gtest/gtest.h>

namespace ts {
namespace {

TEST(OverloadMonitor, OneSpellForManyRefusals) {
  OverloadMonitor m;
  EXPECT_FALSE(m.active());
  EXPECT_TRUE(m.refused());
  for (int i = 0; i < 99; ++i) EXPECT_FALSE(m.refused());
  EXPECT_TRUE(m.active());
  OverloadMonitor::Review r = m.review();
  EXPECT_FALSE(r.ended);
  EXPECT_EQ(r.refused_recent, 100u);
  EXPECT_FALSE(m.refused());
  r = m.review();
  EXPECT_FALSE(r.ended);
  EXPECT_EQ(r.refused_recent, 1u);
  r = m.review();
  EXPECT_TRUE(r.ended);
  EXPECT_EQ(r.refused_spell, 101u);
  EXPECT_FALSE(m.active());
  EXPECT_EQ(m.spells(), 1u);
  EXPECT_EQ(m.refusedTotal(), 101u);
}

TEST(OverloadMonitor, ANewSpellAfterTheEnd) {
  OverloadMonitor m;
  EXPECT_TRUE(m.refused());
  EXPECT_TRUE(m.review().ended == false);
  EXPECT_TRUE(m.review().ended);
  EXPECT_TRUE(m.refused());
  EXPECT_EQ(m.spells(), 2u);
  OverloadMonitor::Review r = m.review();
  EXPECT_FALSE(r.ended);
  r = m.review();
  EXPECT_TRUE(r.ended);
  EXPECT_EQ(r.refused_spell, 1u);
}

}  // namespace
}  // namespace ts
