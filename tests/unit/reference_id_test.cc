// Reference ids: right shape, and no repeats over a large sample.
#include "policy/reference_id.h"

#include <gtest/gtest.h>

#include <unordered_set>

namespace ts {
namespace {

TEST(ReferenceId, Shape) {
  std::string id = newReferenceId();
  EXPECT_EQ(id.size(), kReferenceIdLength);
  EXPECT_EQ(id.substr(0, 3), "ts-");
  EXPECT_TRUE(isReferenceId(id));
}

TEST(ReferenceId, Unique) {
  std::unordered_set<std::string> seen;
  for (int i = 0; i < 100000; ++i) EXPECT_TRUE(seen.insert(newReferenceId()).second);
}

TEST(ReferenceId, Validation) {
  EXPECT_FALSE(isReferenceId("ts-short"));
  EXPECT_FALSE(isReferenceId("xx-5xk2q7m9d3hfa"));
  EXPECT_FALSE(isReferenceId("ts-5xk2q7m9d3hfl"));  // 'l' is not in the alphabet
  EXPECT_TRUE(isReferenceId("ts-5xk2q7m9d3hfa"));
}

}  // namespace
}  // namespace ts
