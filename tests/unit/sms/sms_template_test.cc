// The sms_template setting: newlines written as \n, the four placeholders and nothing
// else, and a fill that never expands a placeholder found inside a field.
#include "sms/sms_template.h"

#include <gtest/gtest.h>

namespace ts::sms {
namespace {

TEST(SmsTemplateTest, DefaultTemplate) {
  Result<SmsTemplate> tmpl = parseSmsTemplate("{subject}\\n{body}");
  ASSERT_TRUE(tmpl.ok()) << tmpl.error().message;
  EXPECT_EQ(tmpl->text, "{subject}\n{body}");
}

TEST(SmsTemplateTest, EveryPlaceholderAndLiteralBraces) {
  Result<SmsTemplate> tmpl =
      parseSmsTemplate("{from} ({sender}): {subject} { } {} {body}\\n\\n-- ops");
  ASSERT_TRUE(tmpl.ok()) << tmpl.error().message;
  EXPECT_EQ(tmpl->text, "{from} ({sender}): {subject} { } {} {body}\n\n-- ops");
}

TEST(SmsTemplateTest, OtherBackslashesStay) {
  Result<SmsTemplate> tmpl = parseSmsTemplate("C:\\temp\\ {body}\\");
  ASSERT_TRUE(tmpl.ok());
  EXPECT_EQ(tmpl->text, "C:\\temp\\ {body}\\");
}

TEST(SmsTemplateTest, UnknownPlaceholderIsRefused) {
  for (const char* value : {"{subjet}\\n{body}", "{Subject}", "{body} {From}", "{to_number}"}) {
    Result<SmsTemplate> tmpl = parseSmsTemplate(value);
    ASSERT_FALSE(tmpl.ok()) << value;
    EXPECT_NE(tmpl.error().message.find("unknown placeholder {"), std::string::npos);
    EXPECT_NE(tmpl.error().message.find("{subject}, {body}, {sender}, {from}"), std::string::npos);
  }
  Result<SmsTemplate> tmpl = parseSmsTemplate("{subject} {subjet}");
  ASSERT_FALSE(tmpl.ok());
  EXPECT_NE(tmpl.error().message.find("{subjet}"), std::string::npos) << tmpl.error().message;
}

TEST(SmsTemplateTest, EmptyTemplateIsRefused) {
  for (const char* value : {"", "   ", "\\n\\n", " \\n\t"}) {
    Result<SmsTemplate> tmpl = parseSmsTemplate(value);
    ASSERT_FALSE(tmpl.ok()) << value;
    EXPECT_NE(tmpl.error().message.find("empty"), std::string::npos);
  }
}

TEST(SmsTemplateTest, IllFormedUtf8IsRefused) {
  Result<SmsTemplate> tmpl = parseSmsTemplate("{body} \xC3");
  ASSERT_FALSE(tmpl.ok());
  EXPECT_NE(tmpl.error().message.find("UTF-8"), std::string::npos);
}

TEST(SmsTemplateTest, ExpandFillsEachPlaceholder) {
  SmsTemplate tmpl{"{from} <{sender}>: {subject}\n{body} {} {x"};
  EXPECT_EQ(expandSmsTemplate(tmpl, SmsFields{"Disk full", "on db1", "ops@example.com", "Ops"}),
            "Ops <ops@example.com>: Disk full\non db1 {} {x");
}

TEST(SmsTemplateTest, PlaceholdersInsideFieldsAreNotExpanded) {
  SmsTemplate tmpl{"{subject}|{body}"};
  EXPECT_EQ(expandSmsTemplate(tmpl, SmsFields{"{body}", "{from}", "s", "f"}), "{body}|{from}");
}

}  // namespace
}  // namespace ts::sms
