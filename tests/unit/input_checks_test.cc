// What textscreenctl and the staff dashboard accept as a domain, a recipient scope and a
// reply text: they refuse what the daemon could never match, saying what is wrong.
#include "util/input_checks.h"

#include <gtest/gtest.h>

namespace ts {
namespace {

TEST(InputChecks, Domains) {
  EXPECT_EQ(*normaliseDomain("Example.COM"), "example.com");
  EXPECT_EQ(*normaliseDomain("mail.example.com."), "mail.example.com");
  EXPECT_EQ(*normaliseDomain("xn--bcher-kva.example"), "xn--bcher-kva.example");
  EXPECT_EQ(*normaliseDomain("1and1.com"), "1and1.com");
  struct Bad {
    const char* domain;
    const char* words;
  };
  for (Bad b : {Bad{"not_a_domain", "'_' is not allowed"}, Bad{"localhost", "two labels"},
                Bad{"", "empty"}, Bad{"a..example", "empty label"}, Bad{".example", "empty label"},
                Bad{"-a.example", "starts or ends with '-'"}, Bad{"192.0.2.1", "IP address"},
                Bad{"x@example.com", "without 'local@'"}, Bad{"bücher.example", "not allowed"}}) {
    auto r = normaliseDomain(b.domain);
    ASSERT_FALSE(r.ok()) << b.domain;
    EXPECT_NE(r.error().message.find(b.words), std::string::npos) << r.error().message;
  }
  EXPECT_FALSE(normaliseDomain(std::string(64, 'a') + ".example").ok());
}

TEST(InputChecks, Scopes) {
  using V = std::vector<std::string>;
  EXPECT_EQ(*parseScope("1415555*,14155551212", ","), (V{"1415555*", "14155551212"}));
  EXPECT_EQ(*parseScope(" 1415555* ; +14155551212 ", ";"), (V{"1415555*", "+14155551212"}));
  EXPECT_EQ(*parseScope("", ","), V{});
  EXPECT_EQ(*parseScope("*", ","), V{"*"});
  for (const char* bad : {"14x", "1415*5", "+", "+*", "abc*"}) {
    auto r = parseScope(bad, ",");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message.find("not a recipient number"), std::string::npos);
  }
}

TEST(InputChecks, OneLineTexts) {
  EXPECT_TRUE(checkOneLine("--reason", "spam run, ticket 7", 200, true).ok());
  EXPECT_FALSE(checkOneLine("--reason", "two\r\nlines", 200, true).ok());
  EXPECT_FALSE(checkOneLine("--reason", std::string(201, 'x'), 200, true).ok());
  EXPECT_FALSE(checkOneLine("--reason", "caf\xc3\xa9", 200, true).ok());
  EXPECT_TRUE(checkOneLine("--note", "caf\xc3\xa9", 200, false).ok());
}

}  // namespace
}  // namespace ts
