// The DATA reader must give the same result however the stream is split across reads,
// and must never end DATA on anything but CRLF.CRLF.
#include "smtp/data_reader.h"

#include <gtest/gtest.h>

#include <string>

namespace ts::smtp {
namespace {

struct Outcome {
  bool done;
  bool bare;
  bool oversize;
  std::string message;
  std::size_t consumed;
};

Outcome readWhole(const std::string& stream, std::size_t max = 1 << 20) {
  DataReader r(max);
  std::size_t used = r.feed(stream);
  return {r.done(), r.bareLineEnding(), r.oversize(), r.message(), used};
}

Outcome readSplit(const std::string& stream, std::size_t split, std::size_t max = 1 << 20) {
  DataReader r(max);
  std::size_t used = r.feed(std::string_view(stream).substr(0, split));
  if (!r.done()) used += r.feed(std::string_view(stream).substr(split));
  return {r.done(), r.bareLineEnding(), r.oversize(), r.message(), used};
}

TEST(DataReader, EndsOnCrLfDotCrLfAndLeavesTheRest) {
  std::string stream = "Subject: hi\r\n\r\nhello\r\n.\r\nQUIT\r\n";
  Outcome o = readWhole(stream);
  EXPECT_TRUE(o.done);
  EXPECT_FALSE(o.bare);
  EXPECT_EQ(o.message, "Subject: hi\r\n\r\nhello\r\n");
  EXPECT_EQ(stream.substr(o.consumed), "QUIT\r\n");
}

TEST(DataReader, EmptyMessage) {
  Outcome o = readWhole(".\r\n");
  EXPECT_TRUE(o.done);
  EXPECT_EQ(o.message, "");
}

TEST(DataReader, UnstuffsLeadingDots) {
  Outcome o = readWhole("..one\r\n...two\r\n.\r\n");
  EXPECT_TRUE(o.done);
  EXPECT_EQ(o.message, ".one\r\n..two\r\n");
}

TEST(DataReader, SmugglingVariantsDoNotEndData) {
  // CVE-2023-51764/5/6: each of these is an end of DATA to some server, never to us.
  for (const char* attack : {"a\n.\nMAIL FROM:<x@y>\r\n", "a\r.\rMAIL\r\n", "a\n.\r\nMAIL\r\n",
                             "a\r\n.\nMAIL\r\n", "a\r\n.\rMAIL\r\n"}) {
    std::string stream = std::string(attack) + "smuggled\r\n.\r\n";
    Outcome o = readWhole(stream);
    EXPECT_TRUE(o.bare) << attack;
    EXPECT_TRUE(o.done) << attack;
    EXPECT_EQ(o.consumed, stream.size()) << attack;
  }
}

TEST(DataReader, BareCrOrLfAloneIsFlagged) {
  EXPECT_TRUE(readWhole("a\nb\r\n.\r\n").bare);
  EXPECT_TRUE(readWhole("a\rb\r\n.\r\n").bare);
  EXPECT_FALSE(readWhole("a\r\nb\r\n.\r\n").bare);
}

TEST(DataReader, SameResultAtEverySplitPosition) {
  const std::string streams[] = {
      "Subject: x\r\n\r\n..dot\r\nline\r\n.\r\nNEXT",
      "a\n.\r\nb\r\n.\r\n",
      ".\r\n",
      "x\r\r\n.\r\n",
      "..\r\n.\r\n",
  };
  for (const std::string& s : streams) {
    Outcome whole = readWhole(s);
    for (std::size_t split = 0; split <= s.size(); ++split) {
      Outcome part = readSplit(s, split);
      EXPECT_EQ(part.done, whole.done) << s << " split " << split;
      EXPECT_EQ(part.bare, whole.bare) << s << " split " << split;
      EXPECT_EQ(part.message, whole.message) << s << " split " << split;
      EXPECT_EQ(part.consumed, whole.consumed) << s << " split " << split;
    }
  }
}

TEST(DataReader, ByteAtATime) {
  std::string s = "Subject: x\r\n\r\n..dot\r\nline\r\n.\r\nREST";
  DataReader r(1024);
  std::size_t consumed = 0;
  for (char c : s) {
    if (r.done()) break;
    consumed += r.feed(std::string_view(&c, 1));
  }
  EXPECT_TRUE(r.done());
  EXPECT_EQ(r.message(), "Subject: x\r\n\r\n.dot\r\nline\r\n");
  EXPECT_EQ(s.substr(consumed), "REST");
}

TEST(DataReader, OversizeKeepsReadingToTheEndButStopsStoring) {
  std::string body(5000, 'a');
  std::string stream = body + "\r\n.\r\n";
  Outcome o = readWhole(stream, 1024);
  EXPECT_TRUE(o.done);
  EXPECT_TRUE(o.oversize);
  EXPECT_TRUE(o.message.empty());
  EXPECT_EQ(o.consumed, stream.size());
}

TEST(DataReader, ExactlyAtTheLimitIsAccepted) {
  std::string body(1022, 'a');
  Outcome o = readWhole(body + "\r\n.\r\n", 1024);
  EXPECT_FALSE(o.oversize);
  EXPECT_EQ(o.message.size(), 1024u);
}

TEST(DataReader, ResetAllowsReuse) {
  DataReader r(1024);
  (void)r.feed("a\nb\r\n.\r\n");
  EXPECT_TRUE(r.bareLineEnding());
  r.reset(1024);
  (void)r.feed("ok\r\n.\r\n");
  EXPECT_TRUE(r.done());
  EXPECT_FALSE(r.bareLineEnding());
  EXPECT_EQ(r.message(), "ok\r\n");
}

}  // namespace
}  // namespace ts::smtp
