// Times as textscreenctl reads them: spans ("24h"), UTC dates, and "@unix", counted
// ahead for an expiry and back for "since"; typos in dates are refused, not rolled over.
#include "textscreenctl/time_text.h"

#include <gtest/gtest.h>

namespace ts::ctl {
namespace {

constexpr std::int64_t kNow = 1'800'000'000;

TEST(TimeText, Spans) {
  EXPECT_EQ(*parseSpan("90s"), 90);
  EXPECT_EQ(*parseSpan("30m"), 1800);
  EXPECT_EQ(*parseSpan("24h"), 86400);
  EXPECT_EQ(*parseSpan("7d"), 7 * 86400);
  EXPECT_EQ(*parseSpan("2w"), 14 * 86400);
  for (const char* bad : {"", "h", "24", "1y", "-1h", "1.5h", "w", "24 h"}) {
    EXPECT_FALSE(parseSpan(bad).ok()) << bad;
  }
}

TEST(TimeText, WhenRelativeOrAbsolute) {
  EXPECT_EQ(*parseWhen("1h", kNow, Relative::kAhead), kNow + 3600);
  EXPECT_EQ(*parseWhen("1h", kNow, Relative::kBack), kNow - 3600);
  EXPECT_EQ(*parseWhen("2026-12-31", kNow, Relative::kAhead), 1'798'675'200);
  EXPECT_EQ(*parseWhen("2026-12-31T18:30:00Z", kNow, Relative::kAhead), 1'798'741'800);
  EXPECT_EQ(*parseWhen("2026-12-31 18:30", kNow, Relative::kAhead), 1'798'741'800);
  EXPECT_EQ(*parseWhen("@1700000000", kNow, Relative::kBack), 1'700'000'000);
}

TEST(TimeText, BadDatesAreRefused) {
  for (const char* bad : {"2026-02-31", "2026-13-01", "2026-12-31T25:00", "2026-1-1", "31/12/2026",
                          "tomorrow", "2026-12-31T18:30:00+02:00", "@"}) {
    auto r = parseWhen(bad, kNow, Relative::kAhead);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message.find("not a time"), std::string::npos) << r.error().message;
  }
}

TEST(TimeText, Formatting) {
  EXPECT_EQ(formatTime(1'798'741'800), "2026-12-31T18:30:00Z");
  EXPECT_EQ(formatAge(5), "5s");
  EXPECT_EQ(formatAge(300), "5m");
  EXPECT_EQ(formatAge(3 * 3600 + 59), "3h");
  EXPECT_EQ(formatAge(2 * 86400), "2d");
  EXPECT_EQ(formatAge(-3), "0s");
  EXPECT_EQ(formatDuration(Duration(3'600'000)), "1h");
  EXPECT_EQ(formatDuration(Duration(30LL * 86'400'000)), "30d");
  EXPECT_EQ(formatDuration(Duration(1500)), "1500ms");
}

}  // namespace
}  // namespace ts::ctl
