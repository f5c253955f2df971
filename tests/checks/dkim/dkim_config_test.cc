// The dkim_* keys: observe by default (mailing lists break signatures), each action lands
// on its outcome, a temporary fault can never be made a rejection, and the signature limit
// stays within 1 to 20.
#include "checks/dkim/dkim_config.h"

#include <gtest/gtest.h>

#include "config/config.h"

namespace ts {
namespace {

Result<Config> loadWith(std::vector<std::string> overrides) {
  Invocation inv;
  inv.overrides = std::move(overrides);
  return loadConfig(inv);
}

TEST(DkimConfigKeys, DefaultsObserveEverything) {
  auto c = loadConfig(Invocation{});
  ASSERT_TRUE(c.ok()) << c.error().message;
  const OutcomeActions& a = c->dkim.actions;
  EXPECT_EQ(a.fail, Action::kObserve);
  EXPECT_EQ(a.permerror, Action::kObserve);
  EXPECT_EQ(a.temperror, Action::kObserve);
  EXPECT_EQ(a.softfail, Action::kOff);
  EXPECT_EQ(a.neutral, Action::kOff);
  EXPECT_EQ(a.none, Action::kOff);
  EXPECT_EQ(c->dkim.fail_score, 3);
  EXPECT_EQ(c->dkim.timeout, std::chrono::seconds(10));
  EXPECT_EQ(c->dkim.max_signatures, 5u);
}

TEST(DkimConfigKeys, EachKeyLandsOnItsField) {
  auto c = loadWith({"dkim_fail_action=reject", "dkim_permerror_action=score",
                     "dkim_temperror_action=tempfail", "dkim_fail_score=2.5", "dkim_timeout=4s",
                     "dkim_max_signatures=20"});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->dkim.actions.fail, Action::kReject);
  EXPECT_EQ(c->dkim.actions.permerror, Action::kScore);
  EXPECT_EQ(c->dkim.actions.temperror, Action::kTempfail);
  EXPECT_EQ(c->dkim.fail_score, 2.5);
  EXPECT_EQ(c->dkim.timeout, std::chrono::seconds(4));
  EXPECT_EQ(c->dkim.max_signatures, 20u);
}

TEST(DkimConfigKeys, BadValuesNameTheirKey) {
  for (const char* bad :
       {"dkim_temperror_action=reject", "dkim_fail_action=drop", "dkim_max_signatures=0",
        "dkim_max_signatures=21", "dkim_max_signatures=many", "dkim_timeout=0s", "dkim_timeout=61s",
        "dkim_fail_score=high"}) {
    SCOPED_TRACE(bad);
    auto c = loadWith({bad});
    ASSERT_FALSE(c.ok());
    std::string key(bad, std::string_view(bad).find('='));
    EXPECT_NE(c.error().message.find(key), std::string::npos) << c.error().message;
  }
}

}  // namespace
}  // namespace ts
