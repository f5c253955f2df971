// Escaping of hostile text (HELO names, addresses, reasons are the sender's choice), URL
// encoding for redirects, and the page layout's fixed parts.
#include "web/html.h"

#include <gtest/gtest.h>

namespace ts {
namespace {

using namespace std::string_literals;

TEST(Html, EscapesMarkupAndQuotes) {
  EXPECT_EQ(escapeHtml("<script>alert('x')</script>"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
  EXPECT_EQ(escapeHtml("a\"b&c"), "a&quot;b&amp;c");
  EXPECT_EQ(escapeHtml("plain.example"), "plain.example");
}

TEST(Html, KeepsUtf8AndReplacesIllFormedBytes) {
  EXPECT_EQ(escapeHtml("M\xC3\xBCnchen"), "M\xC3\xBCnchen");
  EXPECT_EQ(escapeHtml("a\xFF"
                       "b"),
            "a\xEF\xBF\xBD"
            "b");
  // An overlong '<' (C0 BC) must not come back as a '<'.
  EXPECT_EQ(escapeHtml("\xC0\xBC"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(escapeHtml("\xE2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(Html, DropsControlBytes) {
  EXPECT_EQ(escapeHtml("a\0b\x1b[31m"s), "ab[31m");
  EXPECT_EQ(escapeHtml("line\nbreak\ttab\r"), "line break tab");
}

TEST(Html, UrlEncodesAllButUnreserved) {
  EXPECT_EQ(urlEncode("example.com"), "example.com");
  EXPECT_EQ(urlEncode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
  EXPECT_EQ(urlEncode("~_-."), "~_-.");
}

TEST(Html, PageEscapesTitleAndLinksOnlyOwnAssets) {
  std::string page = htmlPage({"<b>Title</b>", PageKind::kPublic, ""}, "<p>body</p>");
  EXPECT_NE(page.find("<title>&lt;b&gt;Title&lt;/b&gt;</title>"), std::string::npos);
  EXPECT_NE(page.find("<p>body</p>"), std::string::npos);
  EXPECT_NE(page.find("href=\"/static/style.css\""), std::string::npos);
  EXPECT_EQ(page.find("http://"), std::string::npos) << "no outside resources";
  EXPECT_EQ(page.find("https://"), std::string::npos) << "no outside resources";
  EXPECT_EQ(page.find("staff-nav"), std::string::npos);
}

TEST(Html, StaffPageShowsNavigationAndEscapedUser) {
  std::string page = htmlPage({"Overview", PageKind::kStaff, "<eve>"}, "");
  EXPECT_NE(page.find("staff-nav"), std::string::npos);
  EXPECT_NE(page.find("&lt;eve&gt;"), std::string::npos);
  EXPECT_EQ(page.find("<eve>"), std::string::npos);
}

TEST(Html, RedirectAndErrorPage) {
  HttpResponse redirect = redirectTo("/staff/allowlist?notice=ok");
  EXPECT_EQ(redirect.status, 303);
  ASSERT_EQ(redirect.headers.size(), 1u);
  EXPECT_EQ(redirect.headers[0].first, "Location");
  EXPECT_EQ(redirect.headers[0].second, "/staff/allowlist?notice=ok");

  HttpResponse error = errorPage(403, "Form refused", "bad <token>");
  EXPECT_EQ(error.status, 403);
  EXPECT_NE(error.body.find("<p id=\"error\" class=\"error\">bad &lt;token&gt;</p>"),
            std::string::npos);
}

}  // namespace
}  // namespace ts
