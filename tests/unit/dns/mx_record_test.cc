// MX records as the checks read them: preference and host, the null MX, and text that is
// not an MX record at all.
#include "dns/mx_record.h"

#include <gtest/gtest.h>

namespace ts::dns {
namespace {

TEST(MxRecord, PreferenceAndHost) {
  auto mx = parseMxRecord("10 MX.Example.COM.");
  ASSERT_TRUE(mx);
  EXPECT_EQ(mx->preference, 10u);
  EXPECT_EQ(mx->host, "mx.example.com");
  EXPECT_FALSE(mx->isNullMx());
}

TEST(MxRecord, NullMx) {
  for (const char* text : {"0 .", "0 "}) {
    auto mx = parseMxRecord(text);
    ASSERT_TRUE(mx) << text;
    EXPECT_TRUE(mx->isNullMx()) << text;
  }
}

TEST(MxRecord, NotAnMxRecord) {
  for (const char* text : {"", "mx.example.com", "x mx.example.com", "10x mx.example.com"}) {
    EXPECT_FALSE(parseMxRecord(text)) << text;
  }
}

}  // namespace
}  // namespace ts::dns
