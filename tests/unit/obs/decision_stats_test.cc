// The decision counters: one row per action and cause, totals per action, and a bound on
// the rows however many causes appear.
#include "obs/decision_stats.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace ts {
namespace {

TEST(DecisionStats, CountsByActionAndCause) {
  DecisionStatsTable t;
  t.record("relay", "gateway");
  t.record("reject", "recipient");
  t.record("reject", "recipient");
  t.record("reject", "dnsbl");
  t.record("tempfail", "rate_recipient");
  EXPECT_EQ(t.total("relay"), 1u);
  EXPECT_EQ(t.total("reject"), 3u);
  EXPECT_EQ(t.total("quarantine"), 0u);
  EXPECT_EQ(t.rows().at({"reject", "recipient"}), 2u);
  nlohmann::json j = t.toJson();
  EXPECT_EQ(j["reject"]["dnsbl"], 1);
  EXPECT_EQ(j["tempfail"]["rate_recipient"], 1);
}

TEST(DecisionStats, RowsAreBounded) {
  DecisionStatsTable t;
  for (std::size_t i = 0; i < DecisionStatsTable::kMaxRows + 50; ++i) {
    t.record("reject", "cause" + std::to_string(i));
  }
  t.record("reject", "cause0");  // a known row still counts as itself
  EXPECT_LE(t.rows().size(), DecisionStatsTable::kMaxRows + 1);
  EXPECT_EQ(t.rows().at({"reject", "other"}), 50u);
  EXPECT_EQ(t.rows().at({"reject", "cause0"}), 2u);
  EXPECT_EQ(t.total("reject"), DecisionStatsTable::kMaxRows + 51);
}

}  // namespace
}  // namespace ts
