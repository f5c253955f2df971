// Recipient masking on /why: never a whole number, enough to recognise the message.
#include "web/recipient_mask.h"

#include <gtest/gtest.h>

namespace ts {
namespace {

TEST(RecipientMask, LongNumberKeepsFirstFourAndLastTwo) {
  EXPECT_EQ(maskRecipient("14155550112@sms.example.net"), "1415*****12@sms.example.net");
  EXPECT_EQ(maskRecipient("4915112345678@sms.example.net"), "4915*******78@sms.example.net");
}

TEST(RecipientMask, PlusStaysAndIsNotCounted) {
  EXPECT_EQ(maskRecipient("+14155550112@sms.example.net"), "+1415*****12@sms.example.net");
}

TEST(RecipientMask, ShortNumbersShowAtMostAThird) {
  EXPECT_EQ(maskRecipient("1234567@gw"), "12*****@gw");
  EXPECT_EQ(maskRecipient("12345@gw"), "1****@gw");
  EXPECT_EQ(maskRecipient("12@gw"), "**@gw");
  EXPECT_EQ(maskRecipient("1@gw"), "*@gw");
  EXPECT_EQ(maskRecipient("@gw"), "@gw");
}

TEST(RecipientMask, NonNumericLocalPartsAreMaskedAlike) {
  EXPECT_EQ(maskRecipient("notanumber@sms.example.net"), "nota****er@sms.example.net");
  EXPECT_EQ(maskRecipient("bob@sms.example.net"), "b**@sms.example.net");
}

TEST(RecipientMask, WithoutAtTheWholeTextIsALocalPart) {
  EXPECT_EQ(maskRecipient("14155550112"), "1415*****12");
  EXPECT_EQ(maskRecipient(""), "");
}

TEST(RecipientMask, TheLastAtSeparatesTheDomain) {
  EXPECT_EQ(maskRecipient("\"a@b\"@gw.example"), "\"****@gw.example");
}

TEST(RecipientMask, MasksWholeCharactersNotBytes) {
  // Eight characters, sixteen bytes: the cut falls between characters.
  EXPECT_EQ(maskRecipient("\xD0\xB0\xD0\xB1\xD0\xB2\xD0\xB3\xD0\xB4\xD0\xB5\xD0\xB6\xD0\xB7@gw"),
            "\xD0\xB0\xD0\xB1\xD0\xB2\xD0\xB3**\xD0\xB6\xD0\xB7@gw");
}

TEST(RecipientMask, NeverShowsTheWholeNumber) {
  for (std::string number = "1"; number.size() <= 20;
       number += std::to_string(number.size() % 10)) {
    std::string masked = maskRecipient(number + "@gw");
    EXPECT_EQ(masked.find(number), std::string::npos) << number;
    EXPECT_EQ(masked.size(), number.size() + 3) << number;
  }
}

}  // namespace
}  // namespace ts
