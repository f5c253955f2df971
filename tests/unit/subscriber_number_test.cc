// Recipient numbers are judged by libphonenumber for the configured region.
#include "policy/subscriber_number.h"

#include <gtest/gtest.h>

namespace ts {
namespace {

TEST(SubscriberNumber, ValidNumbersForTheRegion) {
  SubscriberNumberValidator v("US", 100);
  for (const char* n :
       {"14155551212", "4155551212", "+14155551212", "12015550123", "+447400123456"}) {
    EXPECT_TRUE(v.isSubscriberNumber(n)) << n;
  }
}

TEST(SubscriberNumber, InvalidNumbers) {
  SubscriberNumberValidator v("US", 100);
  for (const char* n : {"", "123", "1415555", "abc", "1415555121a", "14155551212345678", "+",
                        "++14155551212", "1-415-555-1212", "1415.555.1212", "19005551212"}) {
    EXPECT_FALSE(v.isSubscriberNumber(n)) << n;
  }
}

TEST(SubscriberNumber, RegionMatters) {
  SubscriberNumberValidator gb("GB", 100);
  EXPECT_TRUE(gb.isSubscriberNumber("07400123456"));
  SubscriberNumberValidator us("US", 100);
  EXPECT_FALSE(us.isSubscriberNumber("07400123456"));
}

TEST(SubscriberNumber, CacheGivesTheSameAnswers) {
  SubscriberNumberValidator v("US", 2);
  for (int round = 0; round < 3; ++round) {
    EXPECT_TRUE(v.isSubscriberNumber("14155551212"));
    EXPECT_FALSE(v.isSubscriberNumber("123456"));
    EXPECT_TRUE(v.isSubscriberNumber("12015550123"));
  }
}

TEST(SubscriberNumber, SupportedRegions) {
  EXPECT_TRUE(SubscriberNumberValidator::isSupportedRegion("US"));
  EXPECT_TRUE(SubscriberNumberValidator::isSupportedRegion("DE"));
  EXPECT_FALSE(SubscriberNumberValidator::isSupportedRegion("XX"));
  EXPECT_FALSE(SubscriberNumberValidator::isSupportedRegion("us"));
}

TEST(E164Number, NationalAndInternationalFormsAgree) {
  EXPECT_EQ(e164Number("14155551212", "US"), "+14155551212");
  EXPECT_EQ(e164Number("4155551212", "US"), "+14155551212");
  EXPECT_EQ(e164Number("+14155551212", "GB"), "+14155551212");
  EXPECT_EQ(e164Number("07400123456", "GB"), "+447400123456");
}

TEST(E164Number, RefusesWhatIsNotANumber) {
  for (const char* n : {"", "postmaster", "123", "+", "1415555121a", "99999999999999999"}) {
    EXPECT_EQ(e164Number(n, "US"), std::nullopt) << n;
  }
  EXPECT_EQ(e164Number("07400123456", "US"), std::nullopt);
}

}  // namespace
}  // namespace ts
