// JSON string literals for hostile text: whatever bytes a client sends, the result parses
// as JSON, and well-formed text comes back unchanged.
#include "obs/json_string.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>

namespace ts {
namespace {

std::string asJson(std::string_view text) {
  std::string out;
  appendJsonString(out, text);
  return out;
}

std::string decoded(std::string_view text) {
  return nlohmann::json::parse(asJson(text)).get<std::string>();
}

TEST(JsonString, PlainTextIsOnlyQuoted) {
  EXPECT_EQ(asJson("mx.example.org"), "\"mx.example.org\"");
  EXPECT_EQ(asJson(""), "\"\"");
}

TEST(JsonString, QuotesAndBackslashesAreEscaped) {
  EXPECT_EQ(asJson(R"(a"b\c)"), R"("a\"b\\c")");
  EXPECT_EQ(decoded(R"(", "event":"forged)"), R"(", "event":"forged)");
}

TEST(JsonString, ControlBytesAreEscaped) {
  EXPECT_EQ(asJson("a\r\nb\tc"), R"("a\r\nb\tc")");
  EXPECT_EQ(asJson(std::string("\x00\x1b\x7f", 3)), R"("\u0000\u001b\u007f")");
  EXPECT_EQ(decoded(std::string("x\x00y", 3)), std::string("x\x00y", 3));
}

TEST(JsonString, WellFormedUtf8IsKept) {
  for (const char* s : {"j\xc3\xb6rg", "\xe2\x82\xac 5", "\xf0\x9f\x98\x80"}) {
    EXPECT_EQ(asJson(s), std::string("\"") + s + "\"");
    EXPECT_EQ(decoded(s), s);
  }
}

TEST(JsonString, IllFormedUtf8BecomesReplacementCharacters) {
  EXPECT_EQ(asJson("a\xff"
                   "b"),
            R"("a\ufffdb")");
  // A truncated sequence: each byte of it is replaced, the text after it survives.
  EXPECT_EQ(asJson("\xe2\x82"
                   "x"),
            R"("\ufffd\ufffdx")");
  // Overlong '/' and a UTF-16 surrogate are ill-formed too.
  EXPECT_EQ(decoded("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(decoded("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

TEST(JsonString, EveryByteStringParses) {
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  EXPECT_NO_THROW(decoded(all));
  std::mt19937 random(20261202);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    for (int i = 0; i < 24; ++i) text.push_back(static_cast<char>(byte(random)));
    EXPECT_NO_THROW(decoded(text)) << asJson(text);
  }
}

}  // namespace
}  // namespace ts
