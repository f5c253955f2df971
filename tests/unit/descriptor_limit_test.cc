// The open-file limit against max_connections: what a configuration needs, and a refusal
// that says what to change.
#include "daemon/descriptor_limit.h"

#include <gtest/gtest.h>

#include "unit/config_file.h"

namespace ts {
namespace {

using ts::testing::loadWith;

TEST(DescriptorLimit, NeedsGrowWithConnectionsAndCallout) {
  auto c = loadWith("max_connections = 1000\ngateway_pool_size = 32\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  std::uint64_t without_callout = descriptorsNeeded(*c);
  EXPECT_GE(without_callout, 2000u + 32u);
  auto with_callout = loadWith("max_connections = 1000\ncallout_action = observe\n");
  ASSERT_TRUE(with_callout.ok()) << with_callout.error().message;
  EXPECT_GE(descriptorsNeeded(*with_callout), 3000u);
}

TEST(DescriptorLimit, RefusalSaysWhatToChange) {
  auto c = loadWith("max_connections = 6000\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(checkDescriptors(*c, descriptorsNeeded(*c)).ok());
  auto refused = checkDescriptors(*c, 4096);
  ASSERT_FALSE(refused.ok());
  for (const char* words : {"max_connections = 6000", "4096", "LimitNOFILE"}) {
    EXPECT_NE(refused.error().message.find(words), std::string::npos)
        << words << " in " << refused.error().message;
  }
}

TEST(DescriptorLimit, RaisedToTheHardLimit) {
  DescriptorLimit after = raiseDescriptorLimit();
  EXPECT_GT(after.soft, 0u);
  EXPECT_EQ(after.soft, after.hard);
}

}  // namespace
}  // namespace ts
