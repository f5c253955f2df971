// UTF-8 validation against the Unicode table of well-formed sequences.
#include "util/utf8.h"

#include <gtest/gtest.h>

namespace ts {
namespace {

TEST(Utf8, WellFormed) {
  for (const char* s :
       {"", "ascii", "j\xc3\xb6rg", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xed\x9f\xbf"}) {
    EXPECT_TRUE(isValidUtf8(s)) << s;
  }
}

TEST(Utf8, IllFormed) {
  for (const char* s : {"\x80", "\xc0\xaf", "\xc3", "\xe0\x80\xaf", "\xed\xa0\x80",
                        "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "a\xc3(b"}) {
    EXPECT_FALSE(isValidUtf8(s)) << s;
  }
}

TEST(Utf8, SequenceLength) {
  EXPECT_EQ(utf8SequenceLength("a\xff"), 1u);
  EXPECT_EQ(utf8SequenceLength("\xc3\xb6x"), 2u);
  EXPECT_EQ(utf8SequenceLength("\xe2\x82\xac"), 3u);
  EXPECT_EQ(utf8SequenceLength("\xf0\x9f\x98\x80"), 4u);
  for (const char* s : {"", "\xff", "\xe2\x82", "\xc0\xaf", "\xed\xa0\x80"}) {
    EXPECT_EQ(utf8SequenceLength(s), 0u) << s;
  }
}

TEST(Utf8, Ascii) {
  EXPECT_TRUE(isAscii("plain"));
  EXPECT_FALSE(isAscii("j\xc3\xb6rg"));
}

}  // namespace
}  // namespace ts
