// The overview's counters: every figure of status() in a row of its own, outcomes per
// action with their causes, checks with how they went, and "-" for a figure an older
// status lacks rather than a failed page.
#include "web/staff_overview.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace ts {
namespace {

std::string rowOf(const std::string& html, const std::string& key) {
  std::string start = "<tr data-counter=\"" + key + "\">";
  std::size_t at = html.find(start);
  if (at == std::string::npos) return "";
  return html.substr(at, html.find("</tr>", at) - at);
}

TEST(StaffCounters, FiguresInWords) {
  nlohmann::json status = {
      {"connections", 3},
      {"limits", {{"overloaded", false}}},
      {"outcomes", {{"reject", {{"recipient", 10}, {"ban", 2}}}, {"relay", {{"gateway", 5}}}}},
      {"checks", {{"spf", {{"total", 40}, {"pass", 37}, {"fail", 2}, {"timeout", 1}}}}},
      {"gateway_failures", {{"unreachable", 4}}},
      {"surges_active", 1},
      {"quarantined", 7}};
  std::string html = countersTableHtml(status);
  EXPECT_EQ(html.rfind("<table id=\"counters\">", 0), 0u) << html;
  EXPECT_NE(rowOf(html, "connections").find("<td>3</td>"), std::string::npos);
  EXPECT_NE(rowOf(html, "overloaded").find("<td>no</td>"), std::string::npos);
  EXPECT_NE(rowOf(html, "outcome-reject").find("<td>12 (ban 2, recipient 10)</td>"),
            std::string::npos)
      << html;
  EXPECT_NE(rowOf(html, "check-spf").find("<td>40 (pass 37, fail 2, timeout 1)</td>"),
            std::string::npos)
      << html;
  EXPECT_NE(rowOf(html, "gateway_unreachable").find("<td>4</td>"), std::string::npos);
  EXPECT_NE(rowOf(html, "surges_active").find("<td>1</td>"), std::string::npos);
  EXPECT_NE(rowOf(html, "quarantined").find("<td>7</td>"), std::string::npos);
  EXPECT_NE(rowOf(html, "dns_cache_hits").find("<td>-</td>"), std::string::npos);
}

TEST(StaffCounters, SmsApiReplacesTheGatewayGroup) {
  nlohmann::json status = {{"upstream", "sms_api"},
                           {"sms_api",
                            {{"results", {{"sent", 10}, {"rate_limited", 2}}},
                             {"in_flight", 1},
                             {"paused_seconds", 30},
                             {"recipients_deferred", 4}}}};
  std::string html = countersTableHtml(status);
  EXPECT_EQ(rowOf(html, "gateway_pool_idle"), "") << "gateway figures in SMS API mode";
  EXPECT_NE(rowOf(html, "sms_api_results").find("<td>12 (rate_limited 2, sent 10)</td>"),
            std::string::npos)
      << html;
  EXPECT_NE(rowOf(html, "sms_api_paused_seconds").find("<td>30</td>"), std::string::npos);
  EXPECT_NE(rowOf(html, "sms_api_recipients_deferred").find("<td>4</td>"), std::string::npos);

  std::string smtp = countersTableHtml({{"upstream", "smtp"}});
  EXPECT_NE(rowOf(smtp, "gateway_pool_idle"), "");
  EXPECT_EQ(rowOf(smtp, "sms_api_results"), "") << "an SMS API group without the API";
}

TEST(StaffCounters, NamesAreEscaped) {
  nlohmann::json status = {{"outcomes", {{"<b>", {{"x", 1}}}}}};
  std::string html = countersTableHtml(status);
  EXPECT_EQ(html.find("<b>"), std::string::npos) << html;
  EXPECT_NE(html.find("&lt;b&gt;"), std::string::npos);
}

TEST(StaffCounters, EmptyStatusStillATable) {
  std::string html = countersTableHtml(nlohmann::json::object());
  EXPECT_NE(rowOf(html, "connections").find("<td>-</td>"), std::string::npos);
  EXPECT_NE(rowOf(html, "outcomes").find("none yet"), std::string::npos);
}

}  // namespace
}  // namespace ts
