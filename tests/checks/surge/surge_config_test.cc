// The surge_* keys: defaults (off built in), values as written in a file, and bad values
// refused with an error that names the key.
#include "checks/surge/surge_config.h"

#include <gtest/gtest.h>

#include "config/config.h"
#include "unit/config_file.h"

namespace ts {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using ts::testing::loadWith;

TEST(SurgeConfig, DefaultsAreOff) {
  auto c = loadWith("");
  ASSERT_TRUE(c.ok()) << c.error().message;
  const SurgeConfig& s = c->surge;
  EXPECT_FALSE(s.enabled);
  EXPECT_EQ(s.window, minutes(10));
  EXPECT_EQ(s.cluster_recipients, 20u);
  EXPECT_EQ(s.cluster_networks, 3u);
  EXPECT_EQ(s.cluster_senders, 10u);
  EXPECT_EQ(s.confirm_networks, 10u);
  EXPECT_EQ(s.confirm_senders, 30u);
  EXPECT_EQ(s.confirmed_action, Action::kReject);
  EXPECT_EQ(s.network_rate.limit, 0u);
  EXPECT_EQ(s.network_rate.window, minutes(10));
  EXPECT_EQ(s.hold, minutes(15));
  EXPECT_EQ(s.cluster_capacity, 100000u);
  EXPECT_DOUBLE_EQ(s.similarity, 0.6);
}

TEST(SurgeConfig, ValuesFromFile) {
  auto c = loadWith(
      "surge_enabled = yes\n"
      "surge_window = 5m\n"
      "surge_cluster_recipients = 50\n"
      "surge_cluster_networks = 4\n"
      "surge_cluster_senders = 12\n"
      "surge_confirm_networks = 20\n"
      "surge_confirm_senders = 40\n"
      "surge_confirmed_action = quarantine\n"
      "surge_network_limit = 500\n"
      "surge_network_window = 1h\n"
      "surge_hold = 30m\n"
      "surge_cluster_capacity = 5000\n"
      "surge_similarity = 0.8\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  const SurgeConfig& s = c->surge;
  EXPECT_TRUE(s.enabled);
  EXPECT_EQ(s.window, minutes(5));
  EXPECT_EQ(s.cluster_recipients, 50u);
  EXPECT_EQ(s.cluster_networks, 4u);
  EXPECT_EQ(s.cluster_senders, 12u);
  EXPECT_EQ(s.confirm_networks, 20u);
  EXPECT_EQ(s.confirm_senders, 40u);
  EXPECT_EQ(s.confirmed_action, Action::kQuarantine);
  EXPECT_EQ(s.network_rate.limit, 500u);
  EXPECT_EQ(s.network_rate.window, seconds(3600));
  EXPECT_EQ(s.hold, minutes(30));
  EXPECT_EQ(s.cluster_capacity, 5000u);
  EXPECT_DOUBLE_EQ(s.similarity, 0.8);
}

TEST(SurgeConfig, BooleanWords) {
  for (const char* on : {"yes", "true", "On", "YES"}) {
    auto c = loadWith("", {std::string("surge_enabled=") + on});
    ASSERT_TRUE(c.ok()) << on << ": " << c.error().message;
    EXPECT_TRUE(c->surge.enabled) << on;
  }
  for (const char* off : {"no", "false", "off"}) {
    auto c = loadWith("", {std::string("surge_enabled=") + off});
    ASSERT_TRUE(c.ok()) << off << ": " << c.error().message;
    EXPECT_FALSE(c->surge.enabled) << off;
  }
}

TEST(SurgeConfig, TempfailIsAllowedForConfirmed) {
  auto c = loadWith("surge_confirmed_action = tempfail\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->surge.confirmed_action, Action::kTempfail);
}

TEST(SurgeConfig, BadValuesNameTheirKey) {
  const std::pair<const char*, const char*> cases[] = {
      {"surge_enabled = maybe\n", "surge_enabled"},
      {"surge_window = soon\n", "surge_window"},
      {"surge_window = 0s\n", "surge_window"},
      {"surge_window = 1500ms\n", "surge_window"},
      {"surge_cluster_recipients = 0\n", "surge_cluster_recipients"},
      {"surge_cluster_networks = -1\n", "surge_cluster_networks"},
      {"surge_cluster_senders = many\n", "surge_cluster_senders"},
      {"surge_confirm_networks = 0\n", "surge_confirm_networks"},
      {"surge_confirm_senders = 99999999999\n", "surge_confirm_senders"},
      {"surge_confirmed_action = observe\n", "surge_confirmed_action"},
      {"surge_confirmed_action = drop\n", "surge_confirmed_action"},
      {"surge_network_limit = x\n", "surge_network_limit"},
      {"surge_network_window = 0\n", "surge_network_window"},
      {"surge_hold = forever\n", "surge_hold"},
      {"surge_cluster_capacity = 0\n", "surge_cluster_capacity"},
      {"surge_similarity = 0\n", "surge_similarity"},
      {"surge_similarity = 1.5\n", "surge_similarity"},
  };
  for (const auto& [text, key] : cases) {
    auto c = loadWith(text);
    ASSERT_FALSE(c.ok()) << text;
    EXPECT_NE(c.error().message.find(key), std::string::npos) << c.error().message;
  }
}

TEST(SurgeConfig, ConfirmedActionErrorNamesTheChoices) {
  auto c = loadWith("surge_confirmed_action = score\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("reject, quarantine or tempfail"), std::string::npos)
      << c.error().message;
}

}  // namespace
}  // namespace ts
