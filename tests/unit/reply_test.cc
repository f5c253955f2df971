// Reply formatting, including text from the gateway that tries to inject reply lines.
#include "smtp/reply.h"

#include <gtest/gtest.h>

namespace ts::smtp {
namespace {

TEST(Reply, Format) {
  std::string out;
  appendReply(out, 550, "5.7.1", "ts-5xk2q7m9d3hfa", "Relay access denied");
  EXPECT_EQ(out, "550 5.7.1 [ts-5xk2q7m9d3hfa] Relay access denied\r\n");
  out.clear();
  appendReply(out, 354, "", "", "End data");
  EXPECT_EQ(out, "354 End data\r\n");
}

TEST(Reply, NoInjectedLines) {
  std::string out;
  appendReply(out, 250, "2.0.0", "", "ok\r\n250 fake");
  EXPECT_EQ(out, "250 2.0.0 ok  250 fake\r\n");
}

TEST(Reply, Multiline) {
  std::string out;
  appendMultilineReply(out, 250, {"host", "PIPELINING", "SIZE 10"});
  EXPECT_EQ(out, "250-host\r\n250-PIPELINING\r\n250 SIZE 10\r\n");
}

}  // namespace
}  // namespace ts::smtp
