// The rate keys: off by default so no test or fresh install is throttled by accident,
// each rate read as a count and a window, and a bad value named by its key.
#include <gtest/gtest.h>

#include "config/config.h"
#include "unit/config_file.h"

namespace ts {
namespace {

using namespace std::chrono_literals;
using testing::loadWith;

TEST(RateConfig, DefaultsLimitNothing) {
  auto c = loadConfig(Invocation{});
  ASSERT_TRUE(c.ok()) << c.error().message;
  for (const RateSpec& spec :
       {c->rate.per_client, c->rate.per_sender_domain, c->rate.per_recipient, c->rate.identical}) {
    EXPECT_EQ(spec.limit, 0u);
  }
  EXPECT_EQ(c->rate.per_client.window, 1h);
  EXPECT_EQ(c->rate.per_sender_domain.window, 1h);
  EXPECT_EQ(c->rate.per_recipient.window, 1h);
  EXPECT_EQ(c->rate.identical.window, 10min);
  EXPECT_EQ(c->rate.max_keys, 1000000u);
  EXPECT_EQ(c->rate.max_members_per_key, 10000u);
}

TEST(RateConfig, KeysParse) {
  auto c = loadWith(
      "rate_client_limit = 300\n"
      "rate_client_window = 2h\n"
      "rate_sender_domain_limit = 500\n"
      "rate_sender_domain_window = 1d\n"
      "rate_recipient_limit = 60\n"
      "rate_recipient_window = 30m\n"
      "rate_identical_limit = 3\n"
      "rate_identical_window = 600\n"
      "counter_max_keys = 5000\n",
      {"counter_max_members=20"});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->rate.per_client.limit, 300u);
  EXPECT_EQ(c->rate.per_client.window, 2h);
  EXPECT_EQ(c->rate.per_sender_domain.limit, 500u);
  EXPECT_EQ(c->rate.per_sender_domain.window, 24h);
  EXPECT_EQ(c->rate.per_recipient.limit, 60u);
  EXPECT_EQ(c->rate.per_recipient.window, 30min);
  EXPECT_EQ(c->rate.identical.limit, 3u);
  EXPECT_EQ(c->rate.identical.window, 10min);
  EXPECT_EQ(c->rate.max_keys, 5000u);
  EXPECT_EQ(c->rate.max_members_per_key, 20u);
}

TEST(RateConfig, BadValuesNameTheirKey) {
  const char* cases[][2] = {
      {"rate_client_limit", "many"},       {"rate_client_limit", "-1"},
      {"rate_recipient_limit", "2000000"}, {"rate_client_window", "0"},
      {"rate_identical_window", "1500ms"}, {"rate_sender_domain_window", "1y"},
      {"rate_recipient_window", "60d"},    {"counter_max_keys", "0"},
      {"counter_max_members", "0"},
  };
  for (const auto& [key, value] : cases) {
    auto c = loadWith("", {std::string(key) + "=" + value});
    ASSERT_FALSE(c.ok()) << key << "=" << value;
    EXPECT_NE(c.error().message.find(key), std::string::npos) << c.error().message;
  }
}

}  // namespace
}  // namespace ts
