// What GMime is given: a comment left open after a domain literal makes GMime 3.2.13 leak
// the address it read, so that one '(' is neutralised; everything else reaches GMime as
// the sender wrote it.
#include "checks/mime/gmime_safe_text.h"

#include <gtest/gtest.h>

#include <string>

namespace ts {
namespace {

std::string safe(std::string_view text) {
  std::string storage;
  return std::string(gmimeSafeText(text, storage));
}

TEST(GMimeSafeText, TextWithoutTheLeakIsHandedOnUncopied) {
  for (std::string_view text :
       {"From: a@example.com (the boss\r\n", "To: a@[192.0.2.1] (closed)\r\n",
        "To: a@[192.0.2.1] (nested (comment) closed)\r\n", "To: a@[192.0.2.1] (a \\) b)\r\n",
        "To: a@[192.0.2.1], b@example.com\r\n", "Subject: [1] (see below)\r\n", ""}) {
    std::string storage;
    std::string_view out = gmimeSafeText(text, storage);
    EXPECT_EQ(out.data(), text.data()) << text;
    EXPECT_TRUE(storage.empty()) << text;
  }
}

TEST(GMimeSafeText, AnOpenCommentAfterALiteralLosesItsParenthesis) {
  EXPECT_EQ(safe("To: a@[192.0.2.1] (x\r\n"), "To: a@[192.0.2.1] _x\r\n");
  EXPECT_EQ(safe("To: a@[192.0.2.1](x"), "To: a@[192.0.2.1]_x");
  EXPECT_EQ(safe("To: a@[192.0.2.1] \t(x (y) z\r\n"), "To: a@[192.0.2.1] \t_x (y) z\r\n");
  // An escaped ')' closes nothing.
  EXPECT_EQ(safe("To: a@[192.0.2.1] (x \\)\r\n"), "To: a@[192.0.2.1] _x \\)\r\n");
  // The field fuzzing found: a quoted string that GMime leaves, then the open comment.
  EXPECT_EQ(safe("To: <> \"x, a@[192.0.2.1] (\" <b@example.com>\r\n"),
            "To: <> \"x, a@[192.0.2.1] _\" <b@example.com>\r\n");
}

TEST(GMimeSafeText, ACommentMustCloseOnItsOwnLine) {
  // GMime's header value may end at any line break, or at a NUL (it reads C strings).
  EXPECT_EQ(safe("To: a@[192.0.2.1] (x\r\n y)\r\n"), "To: a@[192.0.2.1] _x\r\n y)\r\n");
  EXPECT_EQ(safe(std::string_view("To: a@[192.0.2.1] (x\0)\r\n", 25)),
            std::string("To: a@[192.0.2.1] _x\0)\r\n", 25));
  // Whitespace between the literal and the comment may be a line break.
  EXPECT_EQ(safe("To: a@[192.0.2.1]\r\n (x\r\n"), "To: a@[192.0.2.1]\r\n _x\r\n");
  // A line of its own starts at depth 0: an earlier line's ')' closes nothing here.
  EXPECT_EQ(safe("X: )\r\nTo: a@[192.0.2.1] (x)\r\n"), "X: )\r\nTo: a@[192.0.2.1] (x)\r\n");
}

TEST(GMimeSafeText, EveryOpenCommentAfterALiteralIsFound) {
  EXPECT_EQ(safe("Cc: a@[192.0.2.1] (x, b@[192.0.2.2] (y\r\n"),
            "Cc: a@[192.0.2.1] _x, b@[192.0.2.2] _y\r\n");
  // The first opens a comment the second is inside; neither closes.
  EXPECT_EQ(safe("Cc: a@[192.0.2.1] ( b@[192.0.2.2] (y\r\n"),
            "Cc: a@[192.0.2.1] _ b@[192.0.2.2] _y\r\n");
  // The inner one closes, the outer one does not.
  EXPECT_EQ(safe("Cc: ](](x)\r\n"), "Cc: ]_](x)\r\n");
  // Only the '(' that follows a literal: another open one cannot leak.
  EXPECT_EQ(safe("Cc: ]( (\r\n"), "Cc: ]_ (\r\n");
}

}  // namespace
}  // namespace ts
