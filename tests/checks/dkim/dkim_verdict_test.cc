// The check's one result over several signatures, without libopendkim: which signature
// decides, the enhanced code of each outcome, and the wording the sender's admin reads.
#include "checks/dkim/dkim_verdict.h"

#include <gtest/gtest.h>

namespace ts {
namespace {

SignatureFinding finding(const char* domain, const char* selector, Outcome outcome,
                         const char* reason, const char* advice = "") {
  SignatureFinding f;
  f.signature.domain = domain;
  f.signature.selector = selector;
  f.signature.algorithm = "rsa-sha256";
  f.signature.outcome = outcome;
  f.signature.reason = reason;
  f.advice = advice;
  return f;
}

TEST(DkimVerdict, NoSignaturesIsNone) {
  CheckResult r = dkimResult({}, 3);
  EXPECT_EQ(r.check, "dkim");
  EXPECT_EQ(r.outcome, Outcome::kNone);
  EXPECT_EQ(r.enhanced, "");
  EXPECT_EQ(r.score, 0);
}

TEST(DkimVerdict, AnyPassWinsAndNamesEveryPassingDomain) {
  CheckResult r = dkimResult({finding("list.example", "l1", Outcome::kFail, "body hash mismatch"),
                              finding("example.com", "s1", Outcome::kPass, "verified"),
                              finding("esp.example", "e1", Outcome::kPass, "verified")},
                             3);
  EXPECT_EQ(r.outcome, Outcome::kPass);
  EXPECT_EQ(r.score, 0);
  EXPECT_EQ(r.reason, "DKIM pass for d=example.com, d=esp.example");
}

TEST(DkimVerdict, RankingWithoutAPass) {
  struct Case {
    std::vector<Outcome> outcomes;
    Outcome expected;
    const char* enhanced;
  };
  const Case cases[] = {
      {{Outcome::kPermError, Outcome::kFail, Outcome::kTempError}, Outcome::kTempError, "4.4.3"},
      {{Outcome::kPermError, Outcome::kFail}, Outcome::kFail, "5.7.20"},
      {{Outcome::kNeutral, Outcome::kPermError}, Outcome::kPermError, "5.7.21"},
      {{Outcome::kNeutral}, Outcome::kNeutral, ""},
  };
  for (const Case& c : cases) {
    std::vector<SignatureFinding> findings;
    for (Outcome o : c.outcomes) findings.push_back(finding("example.com", "s1", o, "why"));
    CheckResult r = dkimResult(findings, 3);
    EXPECT_EQ(r.outcome, c.expected) << outcomeName(c.expected);
    EXPECT_EQ(r.enhanced, c.enhanced) << outcomeName(c.expected);
    EXPECT_EQ(r.score, c.expected == Outcome::kFail ? 3 : 0) << outcomeName(c.expected);
  }
}

TEST(DkimVerdict, ReasonNamesTheDecidingSignatureAndCountsTheOthers) {
  CheckResult r = dkimResult(
      {finding("example.com", "s1", Outcome::kPermError, "no key published at x"),
       finding("example.com", "s2", Outcome::kFail, "body hash mismatch", "sign it again"),
       finding("", "", Outcome::kPermError, "malformed signature: selector tag missing")},
      3);
  EXPECT_EQ(r.reason,
            "DKIM fail: the signature of example.com (selector s2) does not verify (body hash "
            "mismatch): sign it again; 2 other signatures did not pass either");
  EXPECT_EQ(r.detail,
            "d=example.com s=s1 a=rsa-sha256 result=permerror (no key published at x); "
            "d=example.com s=s2 a=rsa-sha256 result=fail (body hash mismatch); "
            "d=- s=- a=rsa-sha256 result=permerror (malformed signature: selector tag missing)");
}

TEST(DkimVerdict, SignatureWithoutDomainIsNamedAsSuch) {
  CheckResult r =
      dkimResult({finding("", "", Outcome::kPermError, "malformed signature", "fix it")}, 3);
  EXPECT_EQ(r.reason,
            "DKIM permerror: a signature without a domain (d=) cannot be used (malformed "
            "signature): fix it");
}

}  // namespace
}  // namespace ts
