// The content check's result, its config keys, and the shipped rules: plain alerts must
// score 0 and obvious spam must score high, or the shipped file is not fit to ship.
#include "checks/content/content_check.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "config/config.h"
#include "unit/config_file.h"

namespace ts {
namespace {

const std::string kShippedRules = TEXTSCREEN_SOURCE_DIR "/rules/textscreen.rules";

ContentConfig configWith(const std::string& rules_text) {
  ContentConfig config;
  auto rules = RuleSet::parse(rules_text, "test.rules");
  EXPECT_TRUE(rules.ok()) << (rules.ok() ? "" : rules.error().message);
  if (rules.ok()) config.rules = *rules;
  return config;
}

MessageContent textMessage(const std::string& text) {
  MessageContent m;
  m.text = text;
  return m;
}

constexpr const char* kRules =
    "body CRYPTO /bitcoin/i\ndescribe CRYPTO an offer of cryptocurrency\nscore CRYPTO 1.5\n"
    "body LOAN /loan/\ndescribe LOAN a loan offer\nscore LOAN 3\n"
    "body PRIZE /prize/\ndescribe PRIZE a prize\nscore PRIZE 0.5\n"
    "body TRUSTED /order number \\d+/\ndescribe TRUSTED an order confirmation\n"
    "score TRUSTED -5\n";

TEST(ContentCheckTest, PassWithoutHits) {
  ContentConfig config = configWith(kRules);
  ContentCheck check(config);
  EXPECT_TRUE(check.enabled());
  CheckResult r = check.evaluate(textMessage("Truck 42 dispatched"));
  EXPECT_EQ(r.check, "content");
  EXPECT_EQ(r.outcome, Outcome::kPass);
  EXPECT_EQ(r.score, 0);
  EXPECT_EQ(r.detail, "");
}

TEST(ContentCheckTest, FailSumsTheHitsAndNamesTheStrongest) {
  ContentConfig config = configWith(kRules);
  CheckResult r = ContentCheck(config).evaluate(
      textMessage("win a prize: free Bitcoin and a loan, act now to claim your prize"));
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_DOUBLE_EQ(r.score, 5);
  EXPECT_EQ(r.enhanced, "5.7.1");
  EXPECT_EQ(r.detail,
            "CRYPTO=1.5 (an offer of cryptocurrency); LOAN=3 (a loan offer); PRIZE=0.5 (a prize)");
  EXPECT_EQ(r.reason,
            "Message content looks like bulk spam (a loan offer; an offer of cryptocurrency); if "
            "this is a legitimate alert, take that out of the message or ask the gateway "
            "operator to allowlist your domain");
  EXPECT_EQ(r.reason.find("Bitcoin"), std::string::npos);
}

TEST(ContentCheckTest, NetScoreAtOrBelowZeroPasses) {
  ContentConfig config = configWith(kRules);
  CheckResult r = ContentCheck(config).evaluate(textMessage("order number 42: your loan"));
  EXPECT_EQ(r.outcome, Outcome::kPass);
  EXPECT_DOUBLE_EQ(r.score, -2);
  EXPECT_EQ(r.detail, "LOAN=3 (a loan offer); TRUSTED=-5 (an order confirmation)");
  EXPECT_EQ(r.reason, "");
}

TEST(ContentCheckTest, DisabledWithoutRules) {
  ContentConfig config;
  ContentCheck check(config);
  EXPECT_FALSE(check.enabled());
  EXPECT_EQ(check.evaluate(textMessage("bitcoin")).outcome, Outcome::kPass);
}

TEST(ContentConfigTest, Defaults) {
  auto config = testing::loadWith("");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_TRUE(config->content.rule_files.empty());
  EXPECT_EQ(config->content.rules, nullptr);
  EXPECT_EQ(config->content.action, Action::kScore);
}

TEST(ContentConfigTest, LoadsTheRuleFiles) {
  auto config =
      testing::loadWith("content_rules = " + kShippedRules + "\ncontent_action = reject\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->content.rule_files, std::vector<std::string>{kShippedRules});
  ASSERT_NE(config->content.rules, nullptr);
  EXPECT_GT(config->content.rules->size(), 20u);
  EXPECT_EQ(config->content.action, Action::kReject);
}

TEST(ContentConfigTest, BadRuleFileFailsTheLoadWithFileAndLine) {
  char path[] = "/tmp/textscreen-badrules-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << "# bad\nbody A /(/\n";
  auto config = testing::loadWith(std::string("content_rules = ") + path + "\n");
  std::remove(path);
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find(std::string(path) + ":2: body A: bad regex"),
            std::string::npos)
      << config.error().message;
  EXPECT_EQ(config.error().message.rfind("content_rules", 0), 0u);
}

TEST(ContentConfigTest, BadAction) {
  auto config = testing::loadWith("content_action = maybe\n");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("content_action"), std::string::npos);
}

class ContentShippedRulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto rules = RuleSet::load({kShippedRules});
    ASSERT_TRUE(rules.ok()) << rules.error().message;
    config_.rules = *rules;
  }
  CheckResult check(const std::string& raw) {
    return ContentCheck(config_).evaluate(extractContent(raw));
  }
  ContentConfig config_;
};

std::string alert(const std::string& subject, const std::string& body) {
  return "From: Dispatch <dispatch@fleet.example>\r\nTo: 15551234567@sms.example\r\n"
         "Subject: " +
         subject +
         "\r\nDate: Mon, 6 May 2024 14:05:00 +0000\r\nMessage-ID: <a1@fleet.example>\r\n\r\n" +
         body + "\r\n";
}

TEST_F(ContentShippedRulesTest, PlainAlertsScoreZero) {
  const std::pair<std::string, std::string> alerts[] = {
      {"Dispatch", "Truck 42 dispatched to Dock 7 at 14:05"},
      {"Library", "Your library hold is ready for pickup"},
      {"ALERT: router core1 down", "ALERT: router core1 down since 03:12 UTC"},
      {"Backup", "Nightly backup of db2 finished in 42 minutes, 0 errors"},
      {"Reminder", "Dentist appointment tomorrow at 9:30. Call 555-0100 to change it."},
      {"Door", "Front door opened at 22:14 (sensor 3)"},
  };
  for (const auto& [subject, body] : alerts) {
    CheckResult r = check(alert(subject, body));
    EXPECT_EQ(r.outcome, Outcome::kPass) << body << ": " << r.detail;
    EXPECT_EQ(r.score, 0) << body << ": " << r.detail;
  }
}

TEST_F(ContentShippedRulesTest, ObviousSpamScoresHigh) {
  std::string spam =
      "From: Rewards <win@promo.example>\r\nTo: 15551234567@sms.example\r\n"
      "Subject: CONGRATULATIONS YOU HAVE WON!!!\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/alternative; boundary=\"s\"\r\n\r\n"
      "--s\r\nContent-Type: text/plain\r\n\r\n"
      "You have been selected! Claim your free bitcoin now: https://bit.ly/abc\r\n"
      "--s\r\nContent-Type: text/html\r\n\r\n"
      "<p>Verify your account within 24 hours, <a href=\"http://203.0.113.9/login\">click "
      "here</a></p>\r\n--s--\r\n";
  CheckResult r = check(spam);
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_GE(r.score, 10) << r.detail;
  EXPECT_NE(r.detail.find("CRYPTO_GIFT="), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("URL_SHORTENER="), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("URL_IP_LITERAL="), std::string::npos) << r.detail;
  EXPECT_EQ(r.reason.find("bit.ly"), std::string::npos);
}

TEST_F(ContentShippedRulesTest, ExecutableAttachment) {
  std::string raw =
      "From: a@example.com\r\nSubject: Invoice\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=\"m\"\r\n\r\n"
      "--m\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n"
      "--m\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; "
      "filename=\"invoice.pdf.exe\"\r\n\r\nMZ\r\n--m--\r\n";
  CheckResult r = check(raw);
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_NE(r.detail.find("EXE_ATTACHMENT=5"), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("DOUBLE_EXTENSION=3"), std::string::npos) << r.detail;
}

}  // namespace
}  // namespace ts
