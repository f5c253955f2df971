// Redaction of record text for /why: addresses hidden, long numbers masked, the rest kept.
#include "web/public_redaction.h"

#include <gtest/gtest.h>

namespace ts {
namespace {

TEST(PublicRedaction, HidesIpv4Literals) {
  EXPECT_EQ(redactForPublic("key=client:192.0.2.1 limit=10/60s"),
            "key=client:(address hidden) limit=10/60s");
  EXPECT_EQ(redactForPublic("listed (127.0.0.2)."), "listed ((address hidden)).");
  EXPECT_EQ(redactForPublic("from 10.1.2.3."), "from (address hidden).");
  EXPECT_EQ(redactForPublic("[192.0.2.7]"), "[(address hidden)]");
  EXPECT_EQ(redactForPublic("hub:192.0.2.1"), "hub:(address hidden)");
}

TEST(PublicRedaction, HidesIpv6Literals) {
  EXPECT_EQ(redactForPublic("client 2001:db8::1 refused"), "client (address hidden) refused");
  EXPECT_EQ(redactForPublic("key=client:2001:db8:0:1::"), "key=client:(address hidden)");
  EXPECT_EQ(redactForPublic("from ::1."), "from (address hidden).");
  EXPECT_EQ(redactForPublic("mapped ::ffff:192.0.2.1"), "mapped (address hidden)");
  EXPECT_EQ(redactForPublic("[IPv6:2001:db8::5]"), "[IPv6:(address hidden)]");
}

TEST(PublicRedaction, MasksTelephoneNumbers) {
  EXPECT_EQ(redactForPublic("key=rcpt:14155550112 limit=5/3600s"),
            "key=rcpt:1415*****12 limit=5/3600s");
}

TEST(PublicRedaction, KeepsTimesCodesAndWords) {
  for (const char* kept :
       {"retry in 12 minutes (after 14:05 UTC)", "5.7.1 refused", "at 14:05:33 on 2026-12-02",
        "v=spf1 include:_spf.example.com -all", "deadbeef cafe: face", "version 1.2.3.4.5",
        "selector s1 key 2048 bits", "123456 is short"}) {
    EXPECT_EQ(redactForPublic(kept), kept);
  }
}

TEST(PublicRedaction, LeavesNoDigitsOfAnAddress) {
  std::string out = redactForPublic("a 198.51.100.77 b 2001:db8:85a3::8a2e:370:7334 c");
  EXPECT_EQ(out.find("198"), std::string::npos);
  EXPECT_EQ(out.find("7334"), std::string::npos);
  EXPECT_EQ(out, "a (address hidden) b (address hidden) c");
}

}  // namespace
}  // namespace ts
