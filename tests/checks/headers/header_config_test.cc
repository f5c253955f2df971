// The headers_* keys as an operator writes them: defaults, values with units, and bad
// values refused with an error naming the key.
#include "checks/headers/header_config.h"

#include <gtest/gtest.h>

#include "config/config.h"
#include "unit/config_file.h"

namespace ts {
namespace {

using ts::testing::loadWith;

TEST(HeaderCheckConfig, Defaults) {
  auto c = loadWith("");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->headers.action, Action::kOff);
  EXPECT_EQ(c->headers.score, 2);
  EXPECT_EQ(c->headers.date_action, Action::kOff);
  EXPECT_EQ(c->headers.date_max_age, std::chrono::hours(72));
  EXPECT_EQ(c->headers.date_max_future, std::chrono::hours(24));
  EXPECT_EQ(c->headers.max_line_length, 998u);
}

TEST(HeaderCheckConfig, FromFile) {
  auto c = loadWith(
      "headers_action = score\n"
      "headers_score = 1.5\n"
      "headers_date_action = reject\n"
      "headers_date_max_age = 2d\n"
      "headers_date_max_future = 90m\n"
      "headers_max_line_length = 500\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->headers.action, Action::kScore);
  EXPECT_EQ(c->headers.score, 1.5);
  EXPECT_EQ(c->headers.date_action, Action::kReject);
  EXPECT_EQ(c->headers.date_max_age, std::chrono::hours(48));
  EXPECT_EQ(c->headers.date_max_future, std::chrono::minutes(90));
  EXPECT_EQ(c->headers.max_line_length, 500u);
}

TEST(HeaderCheckConfig, BadValuesNameTheirKey) {
  struct Case {
    const char* override_text;
    const char* key;
    const char* says;
  };
  const Case cases[] = {
      {"headers_action=bounce", "headers_action", "not an action"},
      {"headers_score=lots", "headers_score", "not a number"},
      {"headers_date_action=maybe", "headers_date_action", "not an action"},
      {"headers_date_max_age=3 weeks", "headers_date_max_age", "not a duration"},
      {"headers_date_max_age=30s", "headers_date_max_age", "from 1m to 365d"},
      {"headers_date_max_future=0", "headers_date_max_future", "from 1m to 365d"},
      {"headers_max_line_length=77", "headers_max_line_length", "from 78 to 1048576"},
      {"headers_max_line_length=many", "headers_max_line_length", "many"},
  };
  for (const Case& c : cases) {
    auto loaded = loadWith("", {c.override_text});
    ASSERT_FALSE(loaded.ok()) << c.override_text;
    const std::string& message = loaded.error().message;
    EXPECT_NE(message.find(c.key), std::string::npos) << message;
    EXPECT_NE(message.find(c.says), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace ts
