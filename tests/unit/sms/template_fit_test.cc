// Cutting the body alone: what the template puts after {body} survives, the cut prefers a
// space, the encoding is the one of the whole text, and a text too long without any body
// is left to fitToSegments.
#include "sms/template_fit.h"

#include <gtest/gtest.h>

#include <string>

#include "unit/sms/repeated.h"

namespace ts::sms {
namespace {

using testing::times;

TEST(TemplateFitTest, TextAfterTheBodyIsKept) {
  std::string body = times("a", 300);
  std::optional<FittedText> fitted = fitByCuttingBody(
      SmsTemplate{"{body} -- {sender}"}, SmsFields{"", body, "ops@example.com", ""}, 1);
  ASSERT_TRUE(fitted);
  EXPECT_EQ(fitted->text, times("a", 138) + "... -- ops@example.com");
  EXPECT_TRUE(fitted->truncated);
  EXPECT_EQ(fitted->count.encoding, Encoding::kGsm7);
  EXPECT_EQ(fitted->count.units, 160u);
  EXPECT_EQ(fitted->count.segments, 1u);
}

TEST(TemplateFitTest, ThreeSegments) {
  std::optional<FittedText> fitted =
      fitByCuttingBody(SmsTemplate{"{subject}\n{body}\n({sender})"},
                       SmsFields{"Alarm", times("b", 1000), "ops", ""}, 3);
  ASSERT_TRUE(fitted);
  // 459 septets: "Alarm\n" 6, the marker 3, "\n(ops)" 6.
  EXPECT_EQ(fitted->text, "Alarm\n" + times("b", 444) + "...\n(ops)");
  EXPECT_EQ(fitted->count.segments, 3u);
}

TEST(TemplateFitTest, CutsAtASpaceInTheBody) {
  std::string body = times("abcd ", 60);
  std::optional<FittedText> fitted =
      fitByCuttingBody(SmsTemplate{"{body} (x)"}, SmsFields{"", body, "", ""}, 1);
  ASSERT_TRUE(fitted);
  // Room for 153 body characters; the 154th is inside a word, the space before at 149.
  EXPECT_EQ(fitted->text, body.substr(0, 149) + "... (x)");
}

TEST(TemplateFitTest, Ucs2AfterTheBodyMakesItAllUcs2) {
  std::optional<FittedText> fitted =
      fitByCuttingBody(SmsTemplate{"{body} ж"}, SmsFields{"", times("a", 200), "", ""}, 1);
  ASSERT_TRUE(fitted);
  EXPECT_EQ(fitted->text, times("a", 65) + "... ж");
  EXPECT_EQ(fitted->count.encoding, Encoding::kUcs2);
  EXPECT_EQ(fitted->count.units, 70u);
}

TEST(TemplateFitTest, SurrogatePairsAreCutWhole) {
  std::optional<FittedText> fitted =
      fitByCuttingBody(SmsTemplate{"{body}!"}, SmsFields{"", times("😀", 100), "", ""}, 1);
  ASSERT_TRUE(fitted);
  EXPECT_EQ(fitted->text, times("😀", 33) + "...!");
  EXPECT_EQ(fitted->count.units, 70u);
}

TEST(TemplateFitTest, NullWhenEvenAnEmptyBodyDoesNotFit) {
  EXPECT_FALSE(fitByCuttingBody(SmsTemplate{"{subject} {body}"},
                                SmsFields{times("s", 200), "body", "", ""}, 1));
}

}  // namespace
}  // namespace ts::sms
