// The /why result for one decision record: plain words, masked recipients, nothing of the
// client or the gateway, and every sender-chosen string escaped.
#include "web/why_page.h"

#include <gtest/gtest.h>

namespace ts {
namespace {

using std::chrono::seconds;

const std::chrono::system_clock::time_point kNow{seconds(1'764'684'000 + 300)};

store::DecisionRecord refused() {
  store::DecisionRecord r;
  r.ref = "ts-5xk2q7m9d3hfa";
  r.time = 1'764'684'000;  // 2025-12-02 14:00:00 UTC
  r.client = "198.51.100.23";
  r.helo = "mail.example.org";
  r.mail_from = "alerts@Example.ORG";
  r.recipients = {"14155550112@sms.example.net"};
  r.checks = {{"rdns", "pass", "", 0},
              {"spf", "fail", "example.org does not list (address hidden) [spf=fail]", 5},
              {"rate_client", "fail", "too many [key=client:198.51.100.23 limit=10/60s]", 0},
              {"dkim", "none", "", 0},
              {"allowlist", "neutral", "", 0}};
  r.action = "reject";
  r.reason = "SPF of example.org does not allow your server; add it to the SPF record";
  r.gateway_reply = "250 2.0.0 queued as 10.9.8.7 internal";
  return r;
}

std::string between(const std::string& html, const std::string& open, const std::string& close) {
  std::size_t start = html.find(open);
  if (start == std::string::npos) return "<missing " + open + ">";
  start += open.size();
  return html.substr(start, html.find(close, start) - start);
}

TEST(WhyPage, ShowsTheDecisionInPlainWords) {
  std::string html = WhyPage::resultHtml(refused(), kNow);
  EXPECT_EQ(between(html, R"(<dd id="why-action">)", "</dd>"), "Refused");
  EXPECT_EQ(between(html, R"(<dd id="why-domain">)", "</dd>"), "example.org");
  EXPECT_EQ(between(html, R"(<dd id="why-helo">)", "</dd>"), "mail.example.org");
  EXPECT_EQ(between(html, R"(<dd id="why-recipients">)", "</dd>"), "1415*****12@sms.example.net");
  EXPECT_NE(between(html, R"(<dd id="why-time">)", "</dd>").find("2025-12-02 14:00:00 UTC"),
            std::string::npos);
  EXPECT_NE(html.find("(5 minutes ago)"), std::string::npos);
  EXPECT_NE(between(html, R"(<p id="why-reason" class="reason">)", "</p>").find("SPF record"),
            std::string::npos);
}

TEST(WhyPage, EachActionHasItsWords) {
  store::DecisionRecord r = refused();
  const std::pair<const char*, const char*> words[] = {{"reject", "Refused"},
                                                       {"tempfail", "Deferred"},
                                                       {"quarantine", "Held for review"},
                                                       {"relay", "Delivered"}};
  for (auto [action, decision] : words) {
    r.action = action;
    EXPECT_EQ(between(WhyPage::resultHtml(r, kNow), R"(<dd id="why-action">)", "</dd>"), decision);
  }
}

TEST(WhyPage, ListsOnlyTheChecksThatFailed) {
  std::string html = WhyPage::resultHtml(refused(), kNow);
  EXPECT_NE(html.find(R"(data-check="spf")"), std::string::npos);
  EXPECT_NE(html.find(R"(data-check="rate_client")"), std::string::npos);
  EXPECT_EQ(html.find(R"(data-check="rdns")"), std::string::npos);
  EXPECT_EQ(html.find(R"(data-check="dkim")"), std::string::npos);
  EXPECT_EQ(html.find(R"(data-check="allowlist")"), std::string::npos);
  EXPECT_NE(html.find("SPF record"), std::string::npos);
}

TEST(WhyPage, TheDecidingReasonIsNotRepeatedOnlyItsFindings) {
  store::DecisionRecord r = refused();
  r.checks = {{"spf", "fail", r.reason + " [spf=fail]", 5}, {"dkim", "fail", r.reason, 0}};
  std::string html = WhyPage::resultHtml(r, kNow);
  EXPECT_NE(html.find("Found: spf=fail</span>"), std::string::npos);
  EXPECT_EQ(html.find("Found: SPF"), std::string::npos);
  EXPECT_EQ(html.find(R"(<span class="detail">Found: </span>)"), std::string::npos);
}

TEST(WhyPage, NeverShowsTheClientTheGatewayReplyOrTheWholeNumber) {
  std::string html = WhyPage::resultHtml(refused(), kNow);
  EXPECT_EQ(html.find("198.51.100.23"), std::string::npos);
  EXPECT_EQ(html.find("queued"), std::string::npos);
  EXPECT_EQ(html.find("10.9.8.7"), std::string::npos);
  EXPECT_EQ(html.find("14155550112"), std::string::npos);
}

TEST(WhyPage, TheNullSenderIsNamed) {
  store::DecisionRecord r = refused();
  r.mail_from = "";
  EXPECT_EQ(between(WhyPage::resultHtml(r, kNow), R"(<dd id="why-domain">)", "</dd>"),
            "(none: the null sender)");
}

TEST(WhyPage, HostileStringsAreEscaped) {
  store::DecisionRecord r = refused();
  r.helo = "<script>alert('x')</script>\"onmouseover=\"x";
  r.reason = "<img src=x onerror=alert(1)>";
  r.mail_from = "a@<b>.example";
  r.recipients = {"<i>@sms.example.net"};
  r.checks = {{"<svg>", "fail", "\"><script>1</script>", 0}};
  std::string html = WhyPage::resultHtml(r, kNow);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_EQ(html.find("<i>"), std::string::npos);
  EXPECT_EQ(between(html, R"(<dd id="why-helo">)", "</dd>"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;onmouseover=&quot;x");
  EXPECT_NE(html.find(R"(data-check="&lt;svg&gt;")"), std::string::npos);
}

TEST(WhyPage, InvalidUtf8BecomesReplacementCharacters) {
  store::DecisionRecord r = refused();
  r.helo = "bad\xff\xfe.example";
  std::string helo = between(WhyPage::resultHtml(r, kNow), R"(<dd id="why-helo">)", "</dd>");
  EXPECT_EQ(helo, "bad\xEF\xBF\xBD\xEF\xBF\xBD.example");
}

TEST(WhyPage, AnAddressLiteralHeloIsHidden) {
  store::DecisionRecord r = refused();
  r.helo = "[198.51.100.23]";
  EXPECT_EQ(between(WhyPage::resultHtml(r, kNow), R"(<dd id="why-helo">)", "</dd>"),
            "[(address hidden)]");
}

TEST(WhyPage, ManyRecipientsAreCut) {
  store::DecisionRecord r = refused();
  r.recipients.assign(25, "14155550112@sms.example.net");
  std::string shown = between(WhyPage::resultHtml(r, kNow), R"(<dd id="why-recipients">)", "</dd>");
  EXPECT_NE(shown.find(" and 15 more"), std::string::npos);
}

}  // namespace
}  // namespace ts
