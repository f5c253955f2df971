// The DMARC check driven by scripted resolvers: aligned and unaligned SPF and DKIM,
// relaxed and strict alignment, p= / sp= / pct=, policy discovery at the Organizational
// Domain, DNS faults that stay temporary, broken From: fields, and the run's lifetime.
#include "checks/dmarc/dmarc_check.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "unit/dns/fake_resolver.h"

namespace ts {
namespace {

using dns::DnsAnswer;
using dns::DnsStatus;
using dns::testing::FakeResolver;

DnsAnswer txt(std::vector<std::string> r) {
  return DnsAnswer{DnsStatus::kOk, std::move(r), std::chrono::seconds(3600)};
}
DnsAnswer status(DnsStatus s) {
  return DnsAnswer{s, {}, std::chrono::seconds(0)};
}

std::string message(const std::string& from_lines) {
  return from_lines + "To: 15551234567@sms.example.net\r\nSubject: hi\r\n\r\nbody\r\n";
}

DkimSignature signature(std::string domain, Outcome outcome) {
  DkimSignature s;
  s.domain = std::move(domain);
  s.selector = "sel";
  s.algorithm = "rsa-sha256";
  s.outcome = outcome;
  return s;
}

// Distinct actions per policy, so each test sees which one was chosen.
DmarcConfig config() {
  DmarcConfig c;
  c.reject_action = Action::kReject;
  c.quarantine_action = Action::kQuarantine;
  c.none_action = Action::kScore;
  c.temperror_action = Action::kTempfail;
  return c;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Answers every query inside query(), as a cache hit does; unknown names are NXDOMAIN.
class SynchronousResolver final : public dns::Resolver {
 public:
  dns::QueryId query(const std::string& name, ns_type type, dns::DnsCallback cb) override {
    EXPECT_EQ(type, ns_t_txt);
    sent.push_back(name);
    auto it = script.find(name);
    cb(it == script.end() ? status(DnsStatus::kNxDomain) : it->second);
    return next_id_++;
  }
  void cancel(dns::QueryId) override { ++cancels; }

  std::map<std::string, DnsAnswer> script;
  std::vector<std::string> sent;
  int cancels = 0;

 private:
  dns::QueryId next_id_ = 1;
};

struct Outcomes {
  std::vector<DmarcVerdict> verdicts;
  DmarcDone done() {
    return [this](DmarcVerdict v) { verdicts.push_back(std::move(v)); };
  }
};

class DmarcCheckTest : public ::testing::Test {
 protected:
  // Runs the check against the scripted names and returns its one verdict.
  DmarcVerdict run(const DmarcInput& input) {
    DmarcCheck check(config());
    Outcomes out;
    auto r = check.start(input, resolver, out.done());
    EXPECT_EQ(out.verdicts.size(), 1u);
    if (out.verdicts.empty()) return {};
    return out.verdicts.front();
  }

  DmarcInput input(const std::string& from = "From: Alice <alice@example.com>\r\n") {
    message_ = message(from);
    DmarcInput in;
    in.message = message_;
    in.spf_domain = "envelope.example";
    in.spf = Outcome::kFail;
    return in;
  }

  SynchronousResolver resolver;
  std::string message_;
};

TEST_F(DmarcCheckTest, PassesOnAlignedDkimAloneWhenSpfFails) {
  resolver.script["_dmarc.example.com"] = txt({"v=DMARC1; p=reject"});
  DmarcInput in = input();
  in.dkim = {signature("other.example", Outcome::kPass), signature("example.com", Outcome::kPass)};
  DmarcVerdict v = run(in);
  EXPECT_EQ(v.result.check, "dmarc");
  EXPECT_EQ(v.result.outcome, Outcome::kPass);
  EXPECT_EQ(v.result.reason, "DMARC pass for example.com");
  EXPECT_EQ(v.action, Action::kOff);
  EXPECT_EQ(v.from_domain, "example.com");
  EXPECT_EQ(v.policy, "reject");  // published, for the Authentication-Results comment
  EXPECT_TRUE(contains(v.result.detail, "dkim=pass(d=example.com, aligned)")) << v.result.detail;
  EXPECT_TRUE(contains(v.result.detail, "spf=fail(envelope.example, unaligned)"));
  EXPECT_EQ(v.result.ttl, std::chrono::seconds(3600));
  EXPECT_EQ(resolver.sent, std::vector<std::string>{"_dmarc.example.com"});
}

TEST_F(DmarcCheckTest, PassesOnAlignedSpf) {
  resolver.script["_dmarc.example.com"] = txt({"v=DMARC1; p=reject"});
  DmarcInput in = input();
  in.spf_domain = "bounces.example.com";  // relaxed: the same Organizational Domain
  in.spf = Outcome::kPass;
  in.dkim = {signature("example.com", Outcome::kFail)};
  DmarcVerdict v = run(in);
  EXPECT_EQ(v.result.outcome, Outcome::kPass);
  EXPECT_TRUE(contains(v.result.detail, "spf=pass(bounces.example.com, aligned)"))
      << v.result.detail;
}

TEST_F(DmarcCheckTest, SpfPassForAnUnalignedDomainIsNotEnough) {
  resolver.script["_dmarc.example.com"] = txt({"v=DMARC1; p=reject"});
  DmarcInput in = input();
  in.spf = Outcome::kPass;  // envelope.example passes, but it is not example.com
  EXPECT_EQ(run(in).result.outcome, Outcome::kFail);
}

TEST_F(DmarcCheckTest, RelaxedAlignsASubdomainAndStrictDoesNot) {
  DmarcInput in = input();
  in.dkim = {signature("mail.example.com", Outcome::kPass)};
  resolver.script["_dmarc.example.com"] = txt({"v=DMARC1; p=reject"});
  EXPECT_EQ(run(in).result.outcome, Outcome::kPass);
  resolver.script["_dmarc.example.com"] = txt({"v=DMARC1; p=reject; adkim=s"});
  DmarcVerdict strict = run(in);
  EXPECT_EQ(strict.result.outcome, Outcome::kFail);
  EXPECT_TRUE(contains(strict.result.detail, "adkim=s")) << strict.result.detail;

  DmarcInput spf = input();
  spf.spf = Outcome::kPass;
  spf.spf_domain = "bounce.example.com";
  resolver.script["_dmarc.example.com"] = txt({"v=DMARC1; p=reject; aspf=s"});
  EXPECT_EQ(run(spf).result.outcome, Outcome::kFail);
  resolver.script["_dmarc.example.com"] = txt({"v=DMARC1; p=reject; aspf=r"});
  EXPECT_EQ(run(spf).result.outcome, Outcome::kPass);
}

// Relaxed alignment is the same Organizational Domain by the Public Suffix List: sibling
// subdomains align, two customers of one public suffix (github.io) do not. libopendmarc's
// own alignment gets both of these wrong without a TLD file.
TEST_F(DmarcCheckTest, RelaxedAlignmentFollowsThePublicSuffixList) {
  resolver.script["_dmarc.example.com"] = txt({"v=DMARC1; p=reject"});
  DmarcInput sibling = input("From: news@news.example.com\r\n");
  sibling.dkim = {signature("mail.example.com", Outcome::kPass)};
  EXPECT_EQ(run(sibling).result.outcome, Outcome::kPass);

  resolver.script["_dmarc.victim.github.io"] = txt({"v=DMARC1; p=reject"});
  DmarcInput customers = input("From: ceo@victim.github.io\r\n");
  customers.dkim = {signature("attacker.github.io", Outcome::kPass)};
  EXPECT_EQ(run(customers).result.outcome, Outcome::kFail);
}

// libopendmarc 1.4.2 drops one-letter leftmost labels and calls these strictly aligned.
TEST_F(DmarcCheckTest, StrictAlignmentComparesWholeNames) {
  resolver.script["_dmarc.a.example.com"] = txt({"v=DMARC1; p=reject; adkim=s"});
  DmarcInput in = input("From: x@a.example.com\r\n");
  in.dkim = {signature("b.example.com", Outcome::kPass)};
  EXPECT_EQ(run(in).result.outcome, Outcome::kFail);
  in.dkim = {signature("example.com", Outcome::kPass)};
  EXPECT_EQ(run(in).result.outcome, Outcome::kFail);
  in.dkim = {signature("A.Example.COM.", Outcome::kPass)};
  EXPECT_EQ(run(in).result.outcome, Outcome::kPass);
}

// libopendmarc keeps one signature: a failing d= equal to From: hid an aligned pass.
TEST_F(DmarcCheckTest, AFailingSignatureDoesNotHideAnAlignedPass) {
  resolver.script["_dmarc.example.com"] = txt({"v=DMARC1; p=reject"});
  DmarcInput in = input();
  in.dkim = {signature("mail.example.com", Outcome::kPass),
             signature("example.com", Outcome::kFail)};
  EXPECT_EQ(run(in).result.outcome, Outcome::kPass);
}

TEST_F(DmarcCheckTest, FailsUnderPRejectForAnUnalignedFrom) {
  resolver.script["_dmarc.example.com"] =
      txt({"v=spf1 -all", "v=DMARC1; p=reject; rua=mailto:dmarc@example.com"});
  DmarcInput in = input();
  in.dkim = {signature("other.example", Outcome::kPass)};
  DmarcVerdict v = run(in);
  EXPECT_EQ(v.result.outcome, Outcome::kFail);
  EXPECT_EQ(v.policy, "reject");
  EXPECT_EQ(v.action, Action::kReject);
  EXPECT_EQ(v.result.enhanced, "5.7.1");
  EXPECT_EQ(v.result.reason,
            "DMARC fail: example.com publishes p=reject and this message passed neither SPF nor "
            "DKIM for an aligned domain; sign it with DKIM for example.com or send it from "
            "servers in example.com's SPF record");
  EXPECT_EQ(v.result.detail,
            "from=example.com record=_dmarc.example.com p=reject pct=100 adkim=r aspf=r "
            "applied=reject spf=fail(envelope.example, unaligned) dkim=pass(d=other.example, "
            "unaligned)");
}

TEST_F(DmarcCheckTest, FailsUnderPQuarantineAndPNone) {
  resolver.script["_dmarc.example.com"] = txt({"v=DMARC1; p=quarantine"});
  DmarcVerdict q = run(input());
  EXPECT_EQ(q.result.outcome, Outcome::kFail);
  EXPECT_EQ(q.policy, "quarantine");
  EXPECT_EQ(q.action, Action::kQuarantine);
  EXPECT_TRUE(contains(q.result.detail, "dkim=none")) << q.result.detail;

  resolver.script["_dmarc.example.com"] = txt({"v=DMARC1; p=none"});
  DmarcVerdict n = run(input());
  EXPECT_EQ(n.result.outcome, Outcome::kFail);
  EXPECT_EQ(n.policy, "none");
  EXPECT_EQ(n.action, Action::kScore);
}

TEST_F(DmarcCheckTest, SubdomainPolicyComesFromTheOrganizationalDomain) {
  resolver.script["_dmarc.example.com"] = txt({"v=DMARC1; p=none; sp=reject"});
  DmarcVerdict v = run(input("From: billing@sub.example.com\r\n"));
  EXPECT_EQ(v.result.outcome, Outcome::kFail);
  EXPECT_EQ(v.from_domain, "sub.example.com");
  EXPECT_EQ(v.policy, "reject");
  EXPECT_EQ(v.action, Action::kReject);
  EXPECT_EQ(v.result.reason,
            "DMARC fail: example.com publishes sp=reject for subdomains such as sub.example.com "
            "and this message passed neither SPF nor DKIM for an aligned domain; sign it with "
            "DKIM for sub.example.com or send it from servers in sub.example.com's SPF record");
  EXPECT_TRUE(contains(v.result.detail, "record=_dmarc.example.com p=none sp=reject"))
      << v.result.detail;
  EXPECT_EQ(resolver.sent,
            (std::vector<std::string>{"_dmarc.sub.example.com", "_dmarc.example.com"}));
}

TEST_F(DmarcCheckTest, WithoutSpSubdomainsGetP) {
  resolver.script["_dmarc.example.co.uk"] = txt({"v=DMARC1; p=quarantine"});
  DmarcVerdict v = run(input("From: x@a.b.example.co.uk\r\n"));
  EXPECT_EQ(v.policy, "quarantine");
  EXPECT_TRUE(contains(v.result.reason, "publishes p=quarantine for subdomains"))
      << v.result.reason;
}

// A record at the From: domain itself is that domain's own p=, whatever sp= says.
TEST_F(DmarcCheckTest, ARecordAtTheFromDomainItselfAppliesItsP) {
  resolver.script["_dmarc.sub.example.com"] = txt({"v=DMARC1; p=quarantine; sp=reject"});
  resolver.script["_dmarc.example.com"] = txt({"v=DMARC1; p=reject"});
  DmarcVerdict v = run(input("From: x@sub.example.com\r\n"));
  EXPECT_EQ(v.policy, "quarantine");
}

TEST_F(DmarcCheckTest, WithoutARecordTheResultIsNone) {
  resolver.script["_dmarc.example.com"] = txt({"v=spf1 -all", "v=DMARC10; p=reject"});
  DmarcVerdict v = run(input("From: x@mail.example.com\r\n"));
  EXPECT_EQ(v.result.outcome, Outcome::kNone);
  EXPECT_EQ(v.action, Action::kOff);
  EXPECT_EQ(v.policy, "");
  EXPECT_EQ(v.from_domain, "mail.example.com");
  EXPECT_TRUE(contains(v.result.detail,
                       "no DMARC record at _dmarc.mail.example.com or "
                       "_dmarc.example.com"))
      << v.result.detail;
}

// RFC 7489 6.6.3 step 5: several records at one name end discovery; the Organizational
// Domain is not asked in its place.
TEST_F(DmarcCheckTest, TwoRecordsAtOneNameMeanNone) {
  resolver.script["_dmarc.sub.example.com"] = txt({"v=DMARC1; p=reject", "v=DMARC1; p=quarantine"});
  resolver.script["_dmarc.example.com"] = txt({"v=DMARC1; p=reject"});
  DmarcVerdict v = run(input("From: x@sub.example.com\r\n"));
  EXPECT_EQ(v.result.outcome, Outcome::kNone);
  EXPECT_TRUE(contains(v.result.detail, "several DMARC records")) << v.result.detail;
}

TEST_F(DmarcCheckTest, AnUnusableRecordAppliesNoPolicy) {
  resolver.script["_dmarc.example.com"] = txt({"v=DMARC1; p=bogus"});
  DmarcVerdict v = run(input());
  EXPECT_EQ(v.result.outcome, Outcome::kNone);
  EXPECT_TRUE(contains(v.result.detail, "unusable DMARC record")) << v.result.detail;
}

TEST_F(DmarcCheckTest, ServfailIsATemporaryError) {
  resolver.script["_dmarc.example.com"] = status(DnsStatus::kServFail);
  DmarcVerdict v = run(input());
  EXPECT_EQ(v.result.outcome, Outcome::kTempError);
  EXPECT_EQ(v.action, Action::kTempfail);
  EXPECT_EQ(v.result.enhanced, "4.4.3");
  EXPECT_EQ(v.result.reason,
            "DMARC policy of example.com could not be looked up (servfail); try again later");
  EXPECT_EQ(v.policy, "");
}

TEST_F(DmarcCheckTest, AFaultAtTheOrganizationalDomainMattersOnlyWithoutARecord) {
  resolver.script["_dmarc.example.com"] = status(DnsStatus::kTimeout);
  DmarcVerdict missing = run(input("From: x@sub.example.com\r\n"));
  EXPECT_EQ(missing.result.outcome, Outcome::kTempError);
  EXPECT_TRUE(contains(missing.result.detail, "_dmarc.example.com=timeout"))
      << missing.result.detail;

  resolver.script["_dmarc.sub.example.com"] = txt({"v=DMARC1; p=reject"});
  EXPECT_EQ(run(input("From: x@sub.example.com\r\n")).result.outcome, Outcome::kFail);
}

TEST_F(DmarcCheckTest, FromProblemsArePermanentErrors) {
  const std::pair<const char*, const char*> cases[] = {
      {"From: a@example.com\r\nFrom: b@example.com\r\n", "has 2 From: fields"},
      {"From: Alice\r\n", "no valid domain"},
      {"", "no From: field"},
      {"From: a@example.com, b@example.org\r\n", "holds 2 addresses"},
      {"From: friends: a@example.com;\r\n", "a group"},
  };
  for (const auto& [from, why] : cases) {
    DmarcVerdict v = run(input(from));
    EXPECT_EQ(v.result.outcome, Outcome::kPermError) << from;
    EXPECT_EQ(v.action, Action::kScore) << from;  // none_action: not the domain's policy
    EXPECT_EQ(v.result.enhanced, "5.7.1");
    EXPECT_TRUE(contains(v.result.reason, why)) << v.result.reason;
    EXPECT_TRUE(contains(v.result.reason, "fix the sending software")) << v.result.reason;
  }
  EXPECT_TRUE(resolver.sent.empty());
}

TEST_F(DmarcCheckTest, PctZeroNeverAppliesTheRequestedPolicy) {
  resolver.script["_dmarc.example.com"] = txt({"v=DMARC1; p=quarantine; pct=0"});
  for (int i = 0; i < 20; ++i) {
    DmarcVerdict v = run(input());
    EXPECT_EQ(v.result.outcome, Outcome::kFail);
    EXPECT_EQ(v.policy, "none");
    EXPECT_EQ(v.action, Action::kScore);
    EXPECT_TRUE(contains(v.result.detail, "applied=none (outside pct)")) << v.result.detail;
  }
  // RFC 7489 6.6.4: reject outside pct= becomes quarantine, never nothing.
  resolver.script["_dmarc.example.com"] = txt({"v=DMARC1; p=reject; pct=0"});
  EXPECT_EQ(run(input()).policy, "quarantine");
}

TEST_F(DmarcCheckTest, PctBetweenSamplesAndAnUnreadablePctMeansAll) {
  resolver.script["_dmarc.example.com"] = txt({"v=DMARC1; p=reject; pct=50"});
  std::set<std::string> applied;
  for (int i = 0; i < 200 && applied.size() < 2; ++i) applied.insert(run(input()).policy);
  EXPECT_EQ(applied, (std::set<std::string>{"quarantine", "reject"}));

  // libopendmarc reads pct=abc as 0; RFC 7489 6.3 wants the default (100).
  resolver.script["_dmarc.example.com"] = txt({"v=DMARC1; p=reject; pct=abc"});
  DmarcVerdict v = run(input());
  EXPECT_EQ(v.policy, "reject");
  EXPECT_TRUE(contains(v.result.detail, "pct=100")) << v.result.detail;
}

// Tags libopendmarc mishandles never reach it: rf=iodef (stored into aspf) and a rua= of
// 512 bytes (left unterminated in its buffer).
TEST_F(DmarcCheckTest, TagsThisCheckDoesNotUseCannotDisturbIt) {
  resolver.script["_dmarc.example.com"] =
      txt({"v=DMARC1; p=reject; rf=iodef; rua=mailto:" + std::string(505, 'a')});
  DmarcInput in = input();
  in.spf = Outcome::kPass;
  in.spf_domain = "bounce.example.com";
  DmarcVerdict v = run(in);
  EXPECT_EQ(v.result.outcome, Outcome::kPass) << v.result.detail;
  EXPECT_TRUE(contains(v.result.detail, "aspf=r")) << v.result.detail;
}

TEST(DmarcCheckRun, AsksBothNamesAtOnceAndTheFirstDecides) {
  FakeResolver resolver;
  DmarcCheck check(config());
  std::string msg = message("From: x@sub.example.com\r\n");
  DmarcInput in{msg, "envelope.example", Outcome::kFail, {}};
  Outcomes out;
  auto run = check.start(in, resolver, out.done());
  EXPECT_EQ(resolver.openCount(), 2u);
  // The Organizational Domain answers first: nothing is decided until the first name is.
  ASSERT_TRUE(resolver.answer("_dmarc.example.com", txt({"v=DMARC1; p=reject"})));
  EXPECT_TRUE(out.verdicts.empty());
  ASSERT_TRUE(resolver.answer("_dmarc.sub.example.com", txt({"v=DMARC1; p=quarantine"})));
  ASSERT_EQ(out.verdicts.size(), 1u);
  EXPECT_EQ(out.verdicts[0].policy, "quarantine");
}

TEST(DmarcCheckRun, ARecordAtTheFromDomainCancelsTheOtherLookup) {
  FakeResolver resolver;
  DmarcCheck check(config());
  std::string msg = message("From: x@sub.example.com\r\n");
  DmarcInput in{msg, "", Outcome::kNone, {}};
  Outcomes out;
  auto run = check.start(in, resolver, out.done());
  ASSERT_TRUE(resolver.answer("_dmarc.sub.example.com", txt({"v=DMARC1; p=reject"})));
  ASSERT_EQ(out.verdicts.size(), 1u);
  EXPECT_EQ(resolver.cancelled, 1);
  EXPECT_EQ(resolver.openCount(), 0u);
}

TEST(DmarcCheckRun, DestroyingTheRunCancelsItsLookups) {
  FakeResolver resolver;
  DmarcCheck check(config());
  std::string msg = message("From: x@sub.example.com\r\n");
  DmarcInput in{msg, "envelope.example", Outcome::kFail, {}};
  Outcomes out;
  auto run = check.start(in, resolver, out.done());
  ASSERT_EQ(resolver.openCount(), 2u);
  run.reset();
  EXPECT_EQ(resolver.cancelled, 2);
  EXPECT_FALSE(resolver.answer("_dmarc.sub.example.com", status(DnsStatus::kNxDomain)));
  EXPECT_TRUE(out.verdicts.empty());
}

TEST(DmarcCheckRun, DoneMayDestroyTheRun) {
  FakeResolver resolver;
  DmarcCheck check(config());
  std::string msg = message("From: x@example.com\r\n");
  DmarcInput in{msg, "envelope.example", Outcome::kFail, {}};
  std::unique_ptr<CheckRun> run;
  int calls = 0;
  run = check.start(in, resolver, [&](DmarcVerdict v) {
    ++calls;
    EXPECT_EQ(v.result.outcome, Outcome::kFail);
    run.reset();
  });
  ASSERT_TRUE(resolver.answer("_dmarc.example.com", txt({"v=DMARC1; p=reject"})));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(run, nullptr);
}

// Cached answers come inside query(): the verdict arrives before start returns, once, and
// the finished run can still be dropped.
TEST(DmarcCheckRun, SynchronousAnswersFinishBeforeStartReturns) {
  SynchronousResolver resolver;
  resolver.script["_dmarc.example.com"] = txt({"v=DMARC1; p=none; sp=quarantine"});
  DmarcCheck check(config());
  std::string msg = message("From: x@sub.example.com\r\n");
  DmarcInput in{msg, "envelope.example", Outcome::kFail, {}};
  Outcomes out;
  auto run = check.start(in, resolver, out.done());
  ASSERT_EQ(out.verdicts.size(), 1u);
  EXPECT_EQ(out.verdicts[0].policy, "quarantine");
  run.reset();
  EXPECT_EQ(out.verdicts.size(), 1u);
}

// The first name answers inside query() while the second is still to be sent: the run
// must not finish in the middle of its own send loop, and finishes once after it.
TEST(DmarcCheckRun, AnAnswerInsideTheSendLoopFinishesOnceAfterIt) {
  SynchronousResolver resolver;
  resolver.script["_dmarc.sub.example.com"] = txt({"v=DMARC1; p=reject"});
  DmarcCheck check(config());
  std::string msg = message("From: x@sub.example.com\r\n");
  DmarcInput in{msg, "", Outcome::kNone, {}};
  Outcomes out;
  auto run = check.start(in, resolver, out.done());
  ASSERT_EQ(out.verdicts.size(), 1u);
  EXPECT_EQ(out.verdicts[0].policy, "reject");
  EXPECT_EQ(resolver.sent.size(), 2u);
}

}  // namespace
}  // namespace ts
