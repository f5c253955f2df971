// LogLine in both formats: the same fields, one line per event; JSON lines parse whatever
// the values hold, and numbers stay numbers.
#include "obs/log.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace ts {
namespace {

class LogLineTest : public ::testing::Test {
 protected:
  void TearDown() override { setLogFormat(LogFormat::kText); }

  // What one LogLine wrote to stderr.
  template <typename Fill>
  std::string written(LogFormat format, Fill fill) {
    setLogFormat(format);
    ::testing::internal::CaptureStderr();
    {
      LogLine line("ts-5xk2q7m9d3hfa");
      fill(line);
    }
    return ::testing::internal::GetCapturedStderr();
  }
};

TEST_F(LogLineTest, TextFormatIsRefThenKeyValues) {
  std::string out = written(LogFormat::kText, [](LogLine& l) {
    l.kv("event", "decision").kv("helo", "a b").kv("size", 1234ULL);
  });
  EXPECT_EQ(out, "ts-5xk2q7m9d3hfa event=decision helo=\"a b\" size=1234\n");
}

TEST_F(LogLineTest, JsonFormatHasTheSameFields) {
  std::string out = written(LogFormat::kJson, [](LogLine& l) {
    l.kv("event", "decision").kv("action", "accept").kv("size", 1234ULL).kv("delta", -5);
  });
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.back(), '\n');
  EXPECT_EQ(out.find('\n'), out.size() - 1) << out;
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["ref"], "ts-5xk2q7m9d3hfa");
  EXPECT_EQ(j["event"], "decision");
  EXPECT_EQ(j["action"], "accept");
  ASSERT_TRUE(j["size"].is_number_integer()) << out;
  EXPECT_EQ(j["size"], 1234);
  EXPECT_EQ(j["delta"], -5);
}

TEST_F(LogLineTest, JsonFormatSurvivesHostileValues) {
  const char raw[] = "\"}\n{\"event\":\"forged\\\x00\x1b\xff\xc3";
  const std::string hostile(raw, sizeof(raw) - 1);
  std::string out = written(LogFormat::kJson, [&](LogLine& l) {
    l.kv("event", "connect").kv("helo", hostile).kv(hostile, "key too");
  });
  EXPECT_EQ(out.find('\n'), out.size() - 1) << out;
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["event"], "connect");
  EXPECT_EQ(j.size(), 4u) << out;
}

TEST_F(LogLineTest, EmptyRefIsADash) {
  setLogFormat(LogFormat::kJson);
  ::testing::internal::CaptureStderr();
  { LogLine("").kv("event", "listening"); }
  auto j = nlohmann::json::parse(::testing::internal::GetCapturedStderr());
  EXPECT_EQ(j["ref"], "-");
}

}  // namespace
}  // namespace ts
