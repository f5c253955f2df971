// The decisions page's filter: a domain is checked like the CLI's, an action must be one
// the log records, the reason matches in any case; and the table escapes what senders
// chose (HELO, address, reason).
#include "web/staff_decision_filter.h"

#include <gtest/gtest.h>

#include "web/staff_decision_table.h"

namespace ts {
namespace {

store::DecisionRecord decision(std::string from, std::string action, std::string reason) {
  store::DecisionRecord r;
  r.ref = "ts-aaaaaaaaaaaaa";
  r.time = 1764684309;  // 2025-12-02 14:05:09 UTC
  r.mail_from = std::move(from);
  r.action = std::move(action);
  r.reason = std::move(reason);
  r.helo = "<script>alert(1)</script>";
  return r;
}

TEST(DecisionFilter, EmptyQueryMatchesEverything) {
  auto f = parseDecisionFilter({});
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->matches(decision("a@example.org", "relay", "")));
  EXPECT_TRUE(f->matches(decision("", "reject", "anything")));
}

TEST(DecisionFilter, EachFieldNarrows) {
  auto f = parseDecisionFilter(
      {{"domain", "Example.ORG."}, {"action", "reject"}, {"reason", "Spam RUN"}});
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->domain, "example.org");
  EXPECT_TRUE(f->matches(decision("a@EXAMPLE.org", "reject", "ban: spam run, ticket 7")));
  EXPECT_FALSE(f->matches(decision("a@sub.example.org", "reject", "spam run")));
  EXPECT_FALSE(f->matches(decision("a@example.org", "tempfail", "spam run")));
  EXPECT_FALSE(f->matches(decision("a@example.org", "reject", "no such number")));
}

TEST(DecisionFilter, EmptyFieldsAreIgnored) {
  auto f = parseDecisionFilter({{"domain", ""}, {"action", ""}, {"reason", ""}});
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->matches(decision("a@example.net", "quarantine", "x")));
}

TEST(DecisionFilter, BadValuesAreErrorsNamingThem) {
  auto bad_domain = parseDecisionFilter({{"domain", "not a domain"}});
  ASSERT_FALSE(bad_domain.ok());
  EXPECT_NE(bad_domain.error().message.find("not a domain"), std::string::npos);
  auto bad_action = parseDecisionFilter({{"action", "deliver"}});
  ASSERT_FALSE(bad_action.ok());
  EXPECT_NE(bad_action.error().message.find("'deliver' is not an action"), std::string::npos);
  EXPECT_FALSE(parseDecisionFilter({{"reason", std::string(201, 'x')}}).ok());
}

TEST(DecisionTable, EscapesWhatSendersChose) {
  auto r = decision("\"><img src=x>@example.org", "reject", "<b>bad</b> & worse");
  std::string html = decisionTableHtml({r});
  EXPECT_NE(html.find(R"(<td class="helo">&lt;script&gt;alert(1)&lt;/script&gt;</td>)"),
            std::string::npos)
      << html;
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_NE(html.find("&lt;b&gt;bad&lt;/b&gt; &amp; worse"), std::string::npos);
  EXPECT_NE(html.find(R"(<tr data-ref="ts-aaaaaaaaaaaaa">)"), std::string::npos);
  EXPECT_NE(html.find(R"(href="/staff/lookup?q=ts-aaaaaaaaaaaaa")"), std::string::npos);
  EXPECT_NE(html.find("2025-12-02 14:05:09 UTC"), std::string::npos);
}

}  // namespace
}  // namespace ts
