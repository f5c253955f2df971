// Segment arithmetic at every boundary that decides a part, and truncation that must fit,
// never split an escape or surrogate pair, and keep GSM-7 when the UCS-2 text is cut away.
#include "sms/sms_segments.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "sms/utf8_text.h"
#include "unit/sms/repeated.h"
#include "util/utf8.h"

namespace ts::sms {
namespace {

using testing::times;

const std::string kCyrillic = "ж";  // UCS-2, one unit
const std::string kEmoji = "😀";     // UCS-2, a surrogate pair

void expectCount(std::string_view text, Encoding encoding, std::size_t units,
                 std::size_t segments) {
  SegmentCount count = countSegments(text);
  EXPECT_EQ(count.encoding, encoding);
  EXPECT_EQ(count.units, units);
  EXPECT_EQ(count.segments, segments);
}

TEST(SmsSegmentsTest, EmptyTextHasNoSegment) {
  expectCount("", Encoding::kGsm7, 0, 0);
}

TEST(SmsSegmentsTest, Gsm7Boundaries) {
  expectCount(times("a", 1), Encoding::kGsm7, 1, 1);
  expectCount(times("a", 160), Encoding::kGsm7, 160, 1);
  expectCount(times("a", 161), Encoding::kGsm7, 161, 2);
  expectCount(times("a", 306), Encoding::kGsm7, 306, 2);
  expectCount(times("a", 307), Encoding::kGsm7, 307, 3);
  expectCount(times("a", 459), Encoding::kGsm7, 459, 3);
  expectCount(times("a", 460), Encoding::kGsm7, 460, 4);
}

TEST(SmsSegmentsTest, NonAsciiGsm7CharactersTakeOneSeptet) {
  expectCount("Grüße à Ørsted: 5£ @ Δ", Encoding::kGsm7, 22, 1);
}

TEST(SmsSegmentsTest, ExtensionCharactersTakeTwoSeptets) {
  for (std::string c : {"€", "[", "]", "{", "}", "^", "~", "\\", "|"}) {
    expectCount(c, Encoding::kGsm7, 2, 1);
    expectCount(times("a", 158) + c, Encoding::kGsm7, 160, 1);
    expectCount(times("a", 159) + c, Encoding::kGsm7, 161, 2);
  }
}

TEST(SmsSegmentsTest, EscapePairIsNeverSplitAcrossParts) {
  // 306 septets fill two parts exactly, unless the pair would straddle them.
  expectCount(times("a", 151) + "€" + times("a", 153), Encoding::kGsm7, 306, 2);
  expectCount(times("a", 152) + "€" + times("a", 152), Encoding::kGsm7, 306, 3);
  expectCount(times("a", 152) + "[" + times("a", 151), Encoding::kGsm7, 305, 2);
}

TEST(SmsSegmentsTest, Ucs2Boundaries) {
  expectCount(times(kCyrillic, 70), Encoding::kUcs2, 70, 1);
  expectCount(times(kCyrillic, 71), Encoding::kUcs2, 71, 2);
  expectCount(times(kCyrillic, 134), Encoding::kUcs2, 134, 2);
  expectCount(times(kCyrillic, 135), Encoding::kUcs2, 135, 3);
  // One character outside GSM-7 makes the whole text UCS-2.
  expectCount(times("a", 69) + kCyrillic, Encoding::kUcs2, 70, 1);
  expectCount(times("a", 70) + "`", Encoding::kUcs2, 71, 2);
  // In UCS-2 an extension character is one unit like any other.
  expectCount(kCyrillic + "€", Encoding::kUcs2, 2, 1);
}

TEST(SmsSegmentsTest, SurrogatePairIsNeverSplitAcrossParts) {
  expectCount(kEmoji, Encoding::kUcs2, 2, 1);
  expectCount(times(kCyrillic, 68) + kEmoji, Encoding::kUcs2, 70, 1);
  expectCount(times(kCyrillic, 69) + kEmoji, Encoding::kUcs2, 71, 2);
  expectCount(times(kCyrillic, 65) + kEmoji + times(kCyrillic, 67), Encoding::kUcs2, 134, 2);
  expectCount(times(kCyrillic, 66) + kEmoji + times(kCyrillic, 66), Encoding::kUcs2, 134, 3);
}

TEST(SmsSegmentsTest, IllFormedBytesCountAsReplacementCharacters) {
  expectCount("ok\xFF", Encoding::kUcs2, 3, 1);
  expectCount("\xC3", Encoding::kUcs2, 1, 1);
}

TEST(FitToSegmentsTest, TextThatFitsIsUnchanged) {
  for (std::string text : {std::string(), times("a", 160), times("a", 459), times(kEmoji, 35)}) {
    FittedText fitted = fitToSegments(text, 3);
    EXPECT_EQ(fitted.text, text);
    EXPECT_FALSE(fitted.truncated);
  }
}

TEST(FitToSegmentsTest, Gsm7OneSegment) {
  FittedText fitted = fitToSegments(times("a", 161), 1);
  EXPECT_EQ(fitted.text, times("a", 157) + "...");
  EXPECT_TRUE(fitted.truncated);
  EXPECT_EQ(fitted.count.encoding, Encoding::kGsm7);
  EXPECT_EQ(fitted.count.units, 160u);
  EXPECT_EQ(fitted.count.segments, 1u);
}

TEST(FitToSegmentsTest, Gsm7ThreeSegments) {
  FittedText fitted = fitToSegments(times("a", 1000), 3);
  EXPECT_EQ(fitted.text, times("a", 456) + "...");
  EXPECT_EQ(fitted.count.units, 459u);
  EXPECT_EQ(fitted.count.segments, 3u);
}

TEST(FitToSegmentsTest, Ucs2OneSegment) {
  FittedText fitted = fitToSegments(times(kCyrillic, 71), 1);
  EXPECT_EQ(fitted.text, times(kCyrillic, 67) + "...");
  EXPECT_TRUE(fitted.truncated);
  EXPECT_EQ(fitted.count.encoding, Encoding::kUcs2);
  EXPECT_EQ(fitted.count.units, 70u);
  EXPECT_EQ(fitted.count.segments, 1u);
}

TEST(FitToSegmentsTest, Ucs2ThreeSegments) {
  FittedText fitted = fitToSegments(times(kCyrillic, 500), 3);
  EXPECT_EQ(fitted.text, times(kCyrillic, 198) + "...");
  EXPECT_EQ(fitted.count.units, 201u);
  EXPECT_EQ(fitted.count.segments, 3u);
}

TEST(FitToSegmentsTest, ZeroSegmentsMeansOne) {
  EXPECT_EQ(fitToSegments(times("a", 200), 0).text, times("a", 157) + "...");
}

TEST(FitToSegmentsTest, EscapePairIsNotCutInHalf) {
  // 156 + 2 + 3 = 161: the euro sign goes, the marker takes its place.
  FittedText fitted = fitToSegments(times("a", 156) + "€" + times("b", 10), 1);
  EXPECT_EQ(fitted.text, times("a", 156) + "...");
  EXPECT_EQ(fitted.count.units, 159u);
}

TEST(FitToSegmentsTest, EscapePairMovesToTheNextPart) {
  // The euro sign cannot end part 1, so part 2 starts with it and holds 148 more.
  FittedText fitted = fitToSegments(times("a", 152) + "€" + times("b", 200), 2);
  EXPECT_EQ(fitted.text, times("a", 152) + "€" + times("b", 148) + "...");
  EXPECT_EQ(fitted.count.units, 305u);
  EXPECT_EQ(fitted.count.segments, 2u);
}

TEST(FitToSegmentsTest, SurrogatePairIsNotCutInHalf) {
  FittedText fitted = fitToSegments(times(kCyrillic, 66) + kEmoji + times(kCyrillic, 10), 1);
  EXPECT_EQ(fitted.text, times(kCyrillic, 66) + "...");
  EXPECT_EQ(fitted.count.units, 69u);
  EXPECT_TRUE(isValidUtf8(fitted.text));
}

TEST(FitToSegmentsTest, SurrogatePairMovesToTheNextPart) {
  FittedText fitted = fitToSegments(times(kCyrillic, 66) + kEmoji + times(kCyrillic, 100), 2);
  EXPECT_EQ(fitted.text, times(kCyrillic, 66) + kEmoji + times(kCyrillic, 62) + "...");
  EXPECT_EQ(fitted.count.segments, 2u);
}

TEST(FitToSegmentsTest, Ucs2CharacterOnlyInTheCutPartLeavesGsm7) {
  FittedText one = fitToSegments(times("a", 200) + kCyrillic, 1);
  EXPECT_EQ(one.text, times("a", 157) + "...");
  EXPECT_EQ(one.count.encoding, Encoding::kGsm7);
  FittedText three = fitToSegments(times("a", 500) + kEmoji, 3);
  EXPECT_EQ(three.text, times("a", 456) + "...");
  EXPECT_EQ(three.count.encoding, Encoding::kGsm7);
  EXPECT_EQ(three.count.segments, 3u);
}

TEST(FitToSegmentsTest, Ucs2CharacterInTheKeptPartMakesItUcs2) {
  FittedText fitted = fitToSegments(kCyrillic + times("a", 200), 1);
  EXPECT_EQ(fitted.text, kCyrillic + times("a", 66) + "...");
  EXPECT_EQ(fitted.count.encoding, Encoding::kUcs2);
  EXPECT_EQ(fitted.count.units, 70u);
}

TEST(FitToSegmentsTest, CutsAtAWordBoundaryWhenClose) {
  // Room for 157 characters; the 158th is inside a word, the space before it at 154.
  std::string text = times("abcd ", 40);
  FittedText fitted = fitToSegments(text, 1);
  EXPECT_EQ(fitted.text, text.substr(0, 154) + "...");
}

TEST(FitToSegmentsTest, CutsInsideAWordWhenNoSpaceIsClose) {
  std::string text = "Alert " + times("x", 300);
  EXPECT_EQ(fitToSegments(text, 1).text, text.substr(0, 157) + "...");
}

TEST(FitToSegmentsTest, WhitespaceBeforeTheMarkerIsDropped) {
  std::string text = times("a", 150) + " \n      " + times("b", 50);
  EXPECT_EQ(fitToSegments(text, 1).text, times("a", 150) + "...");
}

TEST(FitToSegmentsTest, IllFormedInputGivesValidUtf8) {
  FittedText fitted = fitToSegments(times("\xFF", 100), 1);
  EXPECT_TRUE(isValidUtf8(fitted.text));
  EXPECT_EQ(fitted.text, times("\uFFFD", 67) + "...");
  EXPECT_EQ(fitToSegments("a\xC3", 1).text, "a\uFFFD");
}

// Random texts of the characters that matter: the result always fits, is valid UTF-8 and,
// when cut, is a beginning of the text followed by the marker.
TEST(FitToSegmentsTest, RandomTextsAlwaysFit) {
  const std::string pieces[] = {"a", " ", "\n", "€", "[", kCyrillic, kEmoji, "\xFF", "é"};
  std::mt19937 random(12);
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    std::size_t length = random() % 700;
    for (std::size_t i = 0; i < length; ++i) text += pieces[random() % std::size(pieces)];
    unsigned max_segments = 1 + random() % 4;
    std::string valid = withValidUtf8(text);
    FittedText fitted = fitToSegments(text, max_segments);
    ASSERT_TRUE(isValidUtf8(fitted.text));
    ASSERT_LE(fitted.count.segments, max_segments) << text;
    SegmentCount recount = countSegments(fitted.text);
    ASSERT_EQ(recount.segments, fitted.count.segments);
    ASSERT_EQ(recount.units, fitted.count.units);
    if (fitted.truncated) {
      std::string_view kept =
          std::string_view(fitted.text).substr(0, fitted.text.size() - kTruncationMarker.size());
      ASSERT_EQ(valid.substr(0, kept.size()), kept);
      ASSERT_TRUE(fitted.text.ends_with(kTruncationMarker));
    }
  }
}

}  // namespace
}  // namespace ts::sms
