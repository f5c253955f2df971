// The pregreet check: silence passes, any byte before the banner fails with the fix in
// the reason; the delay of 0 turns the check off.
#include "checks/pregreet/pregreet_check.h"

#include <gtest/gtest.h>

namespace ts {
namespace {

TEST(PregreetCheck, SilencePasses) {
  PregreetCheck check(PregreetConfig{std::chrono::milliseconds(500), Action::kReject, 5});
  CheckResult r = check.evaluate(0);
  EXPECT_EQ(r.check, "pregreet");
  EXPECT_EQ(r.outcome, Outcome::kPass);
  EXPECT_EQ(r.score, 0);
}

TEST(PregreetCheck, TalkingFirstFails) {
  PregreetCheck check(PregreetConfig{std::chrono::milliseconds(500), Action::kScore, 5});
  CheckResult r = check.evaluate(17);
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_EQ(r.enhanced, "5.5.1");
  EXPECT_EQ(r.score, 5);
  EXPECT_NE(r.reason.find("17 bytes"), std::string::npos);
  EXPECT_NE(r.reason.find("wait for the greeting"), std::string::npos);
}

TEST(PregreetCheck, EnabledOnlyWithADelayAndAnAction) {
  EXPECT_FALSE(
      PregreetCheck(PregreetConfig{std::chrono::milliseconds(0), Action::kReject, 5}).enabled());
  EXPECT_FALSE(
      PregreetCheck(PregreetConfig{std::chrono::milliseconds(500), Action::kOff, 5}).enabled());
  EXPECT_TRUE(
      PregreetCheck(PregreetConfig{std::chrono::milliseconds(500), Action::kObserve, 5}).enabled());
}

}  // namespace
}  // namespace ts
