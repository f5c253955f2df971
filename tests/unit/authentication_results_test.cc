// The Authentication-Results field we add (RFC 8601 syntax, each result kind, quoting,
// folding) and the removal of fields that claim our authserv-id while others' stay.
#include "policy/authentication_results.h"

#include <gtest/gtest.h>

namespace ts {
namespace {

DkimSignature signature(std::string d, std::string s, Outcome outcome) {
  DkimSignature sig;
  sig.domain = std::move(d);
  sig.selector = std::move(s);
  sig.algorithm = "rsa-sha256";
  sig.outcome = outcome;
  return sig;
}

AuthenticationSummary summary() {
  AuthenticationSummary s;
  s.authserv_id = "mx.carrier.example";
  s.spf = Outcome::kPass;
  s.spf_domain = "example.com";
  s.dkim = {signature("example.com", "sel1", Outcome::kPass)};
  s.dmarc = Outcome::kPass;
  s.dmarc_from_domain = "example.com";
  s.dmarc_policy = "reject";
  return s;
}

TEST(AuthenticationResults, FormatsEveryMethodOnItsOwnLine) {
  AuthenticationSummary s = summary();
  s.dkim.push_back(signature("esp.example", "s2048", Outcome::kFail));
  EXPECT_EQ(authenticationResultsHeader(s),
            "Authentication-Results: mx.carrier.example;\r\n"
            "\tspf=pass smtp.mailfrom=example.com;\r\n"
            "\tdkim=pass header.d=example.com header.s=sel1 header.a=rsa-sha256;\r\n"
            "\tdkim=fail header.d=esp.example header.s=s2048 header.a=rsa-sha256;\r\n"
            "\tdmarc=pass header.from=example.com (p=reject)\r\n");
}

TEST(AuthenticationResults, NamesEachResultKind) {
  const std::pair<Outcome, const char*> spf[] = {
      {Outcome::kPass, "spf=pass"},           {Outcome::kFail, "spf=fail"},
      {Outcome::kSoftfail, "spf=softfail"},   {Outcome::kNeutral, "spf=neutral"},
      {Outcome::kNone, "spf=none"},           {Outcome::kTempError, "spf=temperror"},
      {Outcome::kPermError, "spf=permerror"},
  };
  for (const auto& [outcome, text] : spf) {
    AuthenticationSummary s = summary();
    s.spf = outcome;
    s.dkim = {signature("example.com", "sel1", outcome)};
    s.dmarc = outcome;
    std::string h = authenticationResultsHeader(s);
    EXPECT_NE(h.find(std::string("\t") + text + " smtp.mailfrom=example.com;"), std::string::npos)
        << h;
    std::string dkim = outcome == Outcome::kSoftfail ? "neutral" : std::string(text).substr(4);
    EXPECT_NE(h.find("\tdkim=" + dkim + " header.d="), std::string::npos) << h;
    std::string dmarc = outcome == Outcome::kSoftfail || outcome == Outcome::kNeutral
                            ? "none"
                            : std::string(text).substr(4);
    EXPECT_NE(h.find("\tdmarc=" + dmarc + " "), std::string::npos) << h;
  }
}

TEST(AuthenticationResults, HeloIdentityAndMissingParts) {
  AuthenticationSummary s;
  s.authserv_id = "mx.carrier.example";
  s.spf = Outcome::kNone;
  s.spf_domain = "mail.example.com";
  s.spf_for_helo = true;
  EXPECT_EQ(authenticationResultsHeader(s),
            "Authentication-Results: mx.carrier.example;\r\n"
            "\tspf=none smtp.helo=mail.example.com;\r\n"
            "\tdkim=none;\r\n"
            "\tdmarc=none\r\n");
}

TEST(AuthenticationResults, QuotesOrLeavesOutValuesThatAreNotTokens) {
  AuthenticationSummary s = summary();
  s.authserv_id = "mx carrier";
  s.dkim = {signature("example.com", "sel \"one\"\\", Outcome::kPass),
            signature("bad\r\nInjected: yes", "s\x01", Outcome::kFail),
            signature("b\xc3\xbc"
                      "cher.example",
                      "sel", Outcome::kPass)};
  s.dmarc_policy = "re ject";
  std::string h = authenticationResultsHeader(s);
  EXPECT_EQ(h.rfind("Authentication-Results: \"mx carrier\";\r\n", 0), 0u) << h;
  EXPECT_NE(h.find("header.s=\"sel \\\"one\\\"\\\\\""), std::string::npos) << h;
  EXPECT_NE(h.find("\tdkim=fail header.a=rsa-sha256;"), std::string::npos) << h;
  EXPECT_EQ(h.find("Injected"), std::string::npos) << h;
  EXPECT_NE(h.find("\tdkim=pass header.s=sel header.a=rsa-sha256;"), std::string::npos) << h;
  EXPECT_EQ(h.find("(p="), std::string::npos) << h;
  for (char c : h) EXPECT_TRUE(c == '\r' || c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f));
}

TEST(AuthenticationResults, FoldsLongResultsWithinTheLineLimit) {
  AuthenticationSummary s = summary();
  std::string longer = "a-rather-long-subdomain-name.of-a-bulk-sender.example.com";
  s.dkim = {signature(longer, "selector-2024-with-rotation", Outcome::kPass)};
  s.spf_domain = longer;
  std::string h = authenticationResultsHeader(s);
  std::size_t start = 0;
  while (start < h.size()) {
    std::size_t end = h.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - start, 78u) << h.substr(start, end - start);
    start = end + 2;
    if (start < h.size()) {
      EXPECT_EQ(h[start], '\t');
    }
  }
  EXPECT_NE(h.find("header.d=" + longer), std::string::npos);
}

const std::string kBody =
    "\r\n"
    "Authentication-Results: mx.carrier.example; dkim=pass\r\n"
    "body text\r\n";

TEST(AuthenticationResults, RemovesFieldsClaimingOurId) {
  std::string message =
      "Received: from a\r\n"
      "Authentication-Results: mx.carrier.example; spf=pass smtp.mailfrom=x.example\r\n"
      "authentication-results: MX.Carrier.Example;\r\n"
      "\tdkim=pass header.d=bank.example;\r\n"
      "  dmarc=pass\r\n"
      "Authentication-Results: mx.carrier.example 1; dkim=pass\r\n"
      "Authentication-Results:(forged) \"mx.carrier.example\" ; spf=pass\r\n"
      "Authentication-Results :\r\n mx.carrier.example; spf=pass\r\n"
      "Subject: hello\r\n" +
      kBody;
  EXPECT_EQ(removeForgedAuthenticationResults(message, "mx.carrier.example"),
            "Received: from a\r\nSubject: hello\r\n" + kBody);
}

TEST(AuthenticationResults, KeepsOthersFieldsAndTheBody) {
  std::string message =
      "Authentication-Results: mx.upstream.example; spf=pass\r\n"
      "Authentication-Results: mx.carrier.example.evil; spf=pass\r\n"
      "Authentication-Results: mx.carrier; spf=pass\r\n"
      "X-Authentication-Results: mx.carrier.example; spf=pass\r\n"
      "Subject: mx.carrier.example\r\n"
      "\tAuthentication-Results: mx.carrier.example; folded into Subject\r\n" +
      kBody;
  EXPECT_EQ(removeForgedAuthenticationResults(message, "mx.carrier.example"), message);
  EXPECT_EQ(removeForgedAuthenticationResults(message, ""), message);
}

TEST(AuthenticationResults, OurOwnHeaderIsRecognisedAsOurs) {
  std::string message = authenticationResultsHeader(summary()) + "Subject: x\r\n" + kBody;
  EXPECT_EQ(removeForgedAuthenticationResults(message, "MX.carrier.example"),
            "Subject: x\r\n" + kBody);
}

TEST(AuthenticationResults, AMessageWithoutBodyOrEmptyLine) {
  EXPECT_EQ(removeForgedAuthenticationResults("Authentication-Results: mx.carrier.example; none",
                                              "mx.carrier.example"),
            "");
  EXPECT_EQ(removeForgedAuthenticationResults("", "mx.carrier.example"), "");
}

}  // namespace
}  // namespace ts
