// The progress line: nothing at all when not shown (a pipe), at most one drawing per
// interval on a terminal, always the final count, and a newline to end it.
#include "textscreenctl/progress.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace ts::ctl {
namespace {

class ProgressTest : public ::testing::Test {
 protected:
  void SetUp() override {
    out_ = std::tmpfile();
    ASSERT_NE(out_, nullptr);
  }
  void TearDown() override { std::fclose(out_); }

  std::string written() {
    std::fflush(out_);
    std::string text;
    std::rewind(out_);
    for (int c = std::fgetc(out_); c != EOF; c = std::fgetc(out_))
      text.push_back(static_cast<char>(c));
    return text;
  }

  Progress make(bool shown) {
    return Progress("importing x.csv", 100, out_, shown, [this] { return now_; });
  }

  std::FILE* out_ = nullptr;
  Progress::Clock::time_point now_{};
};

TEST_F(ProgressTest, NotShownWritesNothing) {
  {
    Progress p = make(false);
    for (std::size_t i = 0; i <= 100; ++i) {
      p.update(i);
      now_ += Progress::kInterval;
    }
    p.finish();
  }
  EXPECT_EQ(written(), "");
}

TEST_F(ProgressTest, DrawsAtMostOncePerIntervalAndAlwaysTheEnd) {
  {
    Progress p = make(true);
    for (std::size_t i = 1; i <= 100; ++i) {
      p.update(i);
      now_ += Progress::kInterval / 10;
    }
  }
  std::string text = written();
  // 100 updates over ten intervals: the first, one per interval, and the last.
  std::size_t drawings = 0;
  for (char c : text) drawings += c == '\r';
  EXPECT_GE(drawings, 10u) << text;
  EXPECT_LE(drawings, 12u) << text;
  EXPECT_NE(text.find("\rimporting x.csv: 1/100 (1%)"), std::string::npos) << text;
  EXPECT_NE(text.find("\rimporting x.csv: 100/100 (100%)\x1b[K\n"), std::string::npos) << text;
  EXPECT_EQ(text.back(), '\n');
}

TEST_F(ProgressTest, FinishEndsTheLineOnce) {
  {
    Progress p = make(true);
    p.update(5);
    p.finish();
    p.finish();
  }
  std::string text = written();
  EXPECT_EQ(text, "\rimporting x.csv: 5/100 (5%)\x1b[K\n");
}

}  // namespace
}  // namespace ts::ctl
