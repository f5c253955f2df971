// The daemon-wide message memory budget: reservations fit or are refused whole, and every
// reservation gives its bytes back exactly once, however it ends.
#include "net/memory_budget.h"

#include <gtest/gtest.h>

#include <utility>

namespace ts {
namespace {

TEST(MemoryBudget, ReservesUntilFull) {
  MemoryBudget budget(100);
  MemoryBudget::Reservation a = budget.reserve(40);
  MemoryBudget::Reservation b = budget.reserve(60);
  EXPECT_TRUE(a);
  EXPECT_TRUE(b);
  EXPECT_EQ(budget.used(), 100u);
  MemoryBudget::Reservation c = budget.reserve(1);
  EXPECT_FALSE(c);
  EXPECT_EQ(budget.refusals(), 1u);
  EXPECT_EQ(budget.used(), 100u);
  a.release();
  EXPECT_EQ(budget.used(), 60u);
  a.release();  // twice is once
  EXPECT_EQ(budget.used(), 60u);
  EXPECT_TRUE(budget.reserve(40));  // a temporary: given back at once
  EXPECT_EQ(budget.used(), 60u);
  EXPECT_EQ(budget.peak(), 100u);
}

TEST(MemoryBudget, TooLargeIsRefusedWithoutOverflow) {
  MemoryBudget budget(100);
  MemoryBudget::Reservation held = budget.reserve(50);
  EXPECT_FALSE(budget.reserve(UINT64_MAX));
  EXPECT_FALSE(budget.reserve(101));
  EXPECT_EQ(budget.used(), 50u);
}

TEST(MemoryBudget, MovesAndDestructionReleaseOnce) {
  MemoryBudget budget(100);
  {
    MemoryBudget::Reservation a = budget.reserve(30);
    MemoryBudget::Reservation moved(std::move(a));
    EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move): the moved-from state is the test
    EXPECT_TRUE(moved);
    EXPECT_EQ(budget.used(), 30u);
    MemoryBudget::Reservation other = budget.reserve(20);
    other = std::move(moved);  // other's 20 go back, the 30 now belong to other
    EXPECT_EQ(budget.used(), 30u);
  }
  EXPECT_EQ(budget.used(), 0u);
}

TEST(MemoryBudget, SmallerCapacityKeepsReservations) {
  MemoryBudget budget(100);
  MemoryBudget::Reservation a = budget.reserve(80);
  budget.setCapacity(50);
  EXPECT_FALSE(budget.reserve(1));
  a.release();
  EXPECT_TRUE(budget.reserve(50));
  EXPECT_FALSE(budget.reserve(51));
}

}  // namespace
}  // namespace ts
