// The DATA payload of a released message: every line ends in CRLF, a leading dot is
// doubled so it cannot end the message early, and the final dot is added once.
#include <gtest/gtest.h>

#include "relay/dot_stuffing.h"

namespace ts {
namespace {

TEST(DotStuff, Lines) {
  EXPECT_EQ(dotStuff("Subject: a\r\n\r\nbody\r\n"), "Subject: a\r\n\r\nbody\r\n.\r\n");
  EXPECT_EQ(dotStuff(".\r\n.x\r\nx.\r\n"), "..\r\n..x\r\nx.\r\n.\r\n");
  EXPECT_EQ(dotStuff("no final line end"), "no final line end\r\n.\r\n");
  EXPECT_EQ(dotStuff("bare\nlf\n"), "bare\r\nlf\r\n.\r\n");
  EXPECT_EQ(dotStuff(""), ".\r\n");
}

}  // namespace
}  // namespace ts
