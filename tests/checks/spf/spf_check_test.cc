// The SPF check driven by scripted resolvers: every SPF result, the rounds an include
// or an mx term needs, RFC 7208's lookup limits, DNS faults that must stay temporary, the
// HELO scope for the null sender, and the run's lifetime (answers before start returns,
// cancel on destroy, destroy inside done). Also the spf_* configuration keys.
#include "checks/spf/spf_check.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <utility>
#include <vector>

#include "config/config.h"
#include "unit/config_file.h"
#include "unit/dns/fake_resolver.h"

namespace ts {
namespace {

using dns::DnsAnswer;
using dns::DnsStatus;
using Key = std::pair<std::string, ns_type>;
using Sent = std::vector<Key>;
using Script = std::map<Key, DnsAnswer>;

DnsAnswer records(std::vector<std::string> r) {
  return DnsAnswer{DnsStatus::kOk, std::move(r), std::chrono::seconds(300)};
}
DnsAnswer txt(std::string record) {
  return records({std::move(record)});
}
DnsAnswer status(DnsStatus s) {
  return DnsAnswer{s, {}, std::chrono::seconds(0)};
}

ClientContext sender(std::string mail_from, const char* peer = "192.0.2.1:40000",
                     std::string helo = "mail.example.com") {
  return ClientContext{*SocketAddress::parse(peer),
                       std::move(helo),
                       "mx.carrier.example",
                       {"sms.example.net"},
                       std::move(mail_from)};
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Answers every query inside query(), as a cache hit does; a name not in the script is
// NXDOMAIN.
class SynchronousResolver final : public dns::Resolver {
 public:
  dns::QueryId query(const std::string& name, ns_type type, dns::DnsCallback cb) override {
    sent.emplace_back(name, type);
    auto it = script.find({name, type});
    cb(it == script.end() ? status(DnsStatus::kNxDomain) : it->second);
    return next_id_++;
  }
  void cancel(dns::QueryId) override {}

  Script script;
  Sent sent;

 private:
  dns::QueryId next_id_ = 1;
};

// Holds every query until flush(), which answers the ones open then from the script: one
// flush is one network round trip, so a test sees how many rounds a record takes.
class DeferredResolver final : public dns::Resolver {
 public:
  dns::QueryId query(const std::string& name, ns_type type, dns::DnsCallback cb) override {
    sent.emplace_back(name, type);
    dns::QueryId id = next_id_++;
    open_.emplace(id, Open{name, type, std::move(cb)});
    return id;
  }
  void cancel(dns::QueryId id) override {
    if (open_.erase(id) != 0) ++cancelled;
  }

  // Answers the queries open now (not the ones their answers start); false if none.
  bool flush() {
    std::vector<dns::QueryId> ids;
    for (const auto& [id, open] : open_) ids.push_back(id);
    for (dns::QueryId id : ids) {
      auto it = open_.find(id);
      if (it == open_.end()) continue;  // cancelled by an earlier answer
      Open open = std::move(it->second);
      open_.erase(it);
      auto answer = script.find({open.name, open.type});
      open.callback(answer == script.end() ? status(DnsStatus::kNxDomain) : answer->second);
    }
    return !ids.empty();
  }
  // Flushes until nothing is open; returns the number of rounds.
  int flushAll() {
    int rounds = 0;
    while (flush()) ++rounds;
    return rounds;
  }
  std::size_t openCount() const { return open_.size(); }

  Script script;
  Sent sent;
  int cancelled = 0;

 private:
  struct Open {
    std::string name;
    ns_type type;
    dns::DnsCallback callback;
  };
  std::map<dns::QueryId, Open> open_;
  dns::QueryId next_id_ = 1;
};

SpfConfig config() {
  SpfConfig c;
  c.fail_score = 5;
  c.softfail_score = 2;
  c.permerror_score = 3;
  return c;
}

class SpfCheckTest : public ::testing::Test {
 protected:
  // Runs the check against the synchronous resolver; the result must come before start
  // returns.
  CheckResult check(const ClientContext& ctx) {
    std::vector<CheckResult> results;
    auto run = check_.start(ctx, sync_, [&](CheckResult r) { results.push_back(r); });
    EXPECT_EQ(results.size(), 1u);
    return results.empty() ? CheckResult{} : results.front();
  }
  CheckResult check(const std::string& mail_from) { return check(sender(mail_from)); }

  // Runs the check against the deferred resolver until it answers.
  CheckResult checkDeferred(const ClientContext& ctx, int* rounds = nullptr) {
    std::vector<CheckResult> results;
    auto run = check_.start(ctx, deferred_, [&](CheckResult r) { results.push_back(r); });
    int n = deferred_.flushAll();
    if (rounds) *rounds = n;
    EXPECT_EQ(results.size(), 1u);
    return results.empty() ? CheckResult{} : results.front();
  }

  SpfCheck check_{config()};
  SynchronousResolver sync_;
  DeferredResolver deferred_;
};

TEST_F(SpfCheckTest, Ip4Passes) {
  sync_.script[{"example.com", ns_t_txt}] = txt("v=spf1 ip4:192.0.2.0/24 -all");
  CheckResult r = check("alice@example.com");
  EXPECT_EQ(r.check, "spf");
  EXPECT_EQ(r.outcome, Outcome::kPass);
  EXPECT_EQ(r.score, 0);
  EXPECT_EQ(r.enhanced, "");
  EXPECT_EQ(r.reason, "SPF pass for example.com");
  EXPECT_EQ(r.ttl, std::chrono::seconds(300));
  EXPECT_EQ(r.detail,
            "domain=example.com scope=mailfrom (domain of example.com designates 192.0.2.1 as "
            "permitted sender) lookups=0 void=0 rounds=2");
  EXPECT_EQ(sync_.sent, (Sent{{"example.com", ns_t_txt}}));
}

TEST_F(SpfCheckTest, DashAllFails) {
  sync_.script[{"example.com", ns_t_txt}] = txt("v=spf1 ip4:198.51.100.1 -all");
  CheckResult r = check("alice@example.com");
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_EQ(r.score, 5);
  EXPECT_EQ(r.enhanced, "5.7.23");
  EXPECT_EQ(r.reason,
            "SPF fail: 192.0.2.1 is not permitted to send for example.com; add it to "
            "example.com's SPF record");
  EXPECT_TRUE(contains(r.detail, "does not designate 192.0.2.1 as permitted sender")) << r.detail;
}

TEST_F(SpfCheckTest, TildeAllSoftfails) {
  sync_.script[{"example.com", ns_t_txt}] = txt("v=spf1 ip4:198.51.100.1 ~all");
  CheckResult r = check("alice@example.com");
  EXPECT_EQ(r.outcome, Outcome::kSoftfail);
  EXPECT_EQ(r.score, 2);
  EXPECT_EQ(r.enhanced, "5.7.23");
  EXPECT_EQ(r.reason,
            "SPF softfail: 192.0.2.1 is not authorised to send for example.com (~all); add it to "
            "example.com's SPF record");
}

TEST_F(SpfCheckTest, QuestionAllIsNeutral) {
  sync_.script[{"example.com", ns_t_txt}] = txt("v=spf1 ip4:198.51.100.1 ?all");
  CheckResult r = check("alice@example.com");
  EXPECT_EQ(r.outcome, Outcome::kNeutral);
  EXPECT_EQ(r.score, 0);
  EXPECT_EQ(r.reason, "SPF neutral for example.com");
}

TEST_F(SpfCheckTest, NoRecordIsNone) {
  const std::pair<DnsAnswer, const char*> cases[] = {
      {status(DnsStatus::kNxDomain), "nxdomain"},
      {status(DnsStatus::kNoData), "nodata"},
      {records({}), "no records"},
      {records({"google-site-verification=abc", "v=spf10 -all", "v=DMARC1; p=none"}), "no v=spf1"},
  };
  for (const auto& [answer, what] : cases) {
    sync_.script[{"example.com", ns_t_txt}] = answer;
    CheckResult r = check("alice@example.com");
    EXPECT_EQ(r.outcome, Outcome::kNone) << what;
    EXPECT_EQ(r.score, 0) << what;
    EXPECT_EQ(r.enhanced, "") << what;
    EXPECT_EQ(r.reason, "SPF none for example.com") << what;
  }
}

TEST_F(SpfCheckTest, IncludeTakesASecondRound) {
  deferred_.script[{"example.com", ns_t_txt}] = txt("v=spf1 include:_spf.example.net -all");
  deferred_.script[{"_spf.example.net", ns_t_txt}] = txt("v=spf1 ip4:192.0.2.0/28 -all");
  int rounds = 0;
  CheckResult r = checkDeferred(sender("alice@example.com"), &rounds);
  EXPECT_EQ(r.outcome, Outcome::kPass);
  EXPECT_EQ(rounds, 2);
  EXPECT_EQ(deferred_.sent, (Sent{{"example.com", ns_t_txt}, {"_spf.example.net", ns_t_txt}}));
  EXPECT_TRUE(contains(r.detail, "lookups=1 void=0 rounds=3")) << r.detail;
}

TEST_F(SpfCheckTest, IncludeThatDoesNotMatchFallsThrough) {
  deferred_.script[{"example.com", ns_t_txt}] = txt("v=spf1 include:_spf.example.net -all");
  deferred_.script[{"_spf.example.net", ns_t_txt}] = txt("v=spf1 ip4:198.51.100.0/24 -all");
  CheckResult r = checkDeferred(sender("alice@example.com"));
  EXPECT_EQ(r.outcome, Outcome::kFail);
}

TEST_F(SpfCheckTest, AAndMxMechanisms) {
  deferred_.script[{"example.com", ns_t_txt}] = txt("v=spf1 a:web.example.com mx -all");
  deferred_.script[{"web.example.com", ns_t_a}] = records({"198.51.100.9"});
  deferred_.script[{"example.com", ns_t_mx}] =
      records({"10 mx1.example.com", "20 mx2.example.com."});
  deferred_.script[{"mx1.example.com", ns_t_a}] = records({"198.51.100.10"});
  deferred_.script[{"mx2.example.com", ns_t_a}] = records({"198.51.100.11", "192.0.2.1"});
  int rounds = 0;
  CheckResult r = checkDeferred(sender("alice@example.com"), &rounds);
  EXPECT_EQ(r.outcome, Outcome::kPass);
  // The record, then its a and mx terms together, then the MX hosts together.
  EXPECT_EQ(rounds, 3);
  EXPECT_EQ(deferred_.sent, (Sent{{"example.com", ns_t_txt},
                                  {"web.example.com", ns_t_a},
                                  {"example.com", ns_t_mx},
                                  {"mx1.example.com", ns_t_a},
                                  {"mx2.example.com", ns_t_a}}));
  // The MX hosts' address lookups belong to the mx term.
  EXPECT_TRUE(contains(r.detail, "lookups=2 void=0")) << r.detail;
}

TEST_F(SpfCheckTest, AMechanismMissFails) {
  sync_.script[{"example.com", ns_t_txt}] = txt("v=spf1 a -all");
  sync_.script[{"example.com", ns_t_a}] = records({"198.51.100.9"});
  CheckResult r = check("alice@example.com");
  EXPECT_EQ(r.outcome, Outcome::kFail);
}

TEST_F(SpfCheckTest, Ipv6Client) {
  sync_.script[{"example.com", ns_t_txt}] = txt("v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all");
  CheckResult r = check(sender("alice@example.com", "[2001:db8::25]:40000"));
  EXPECT_EQ(r.outcome, Outcome::kPass);
  EXPECT_TRUE(contains(r.detail, "designates 2001:db8::25")) << r.detail;

  CheckResult other = check(sender("alice@example.com", "[2001:db9::25]:40000"));
  EXPECT_EQ(other.outcome, Outcome::kFail);
  EXPECT_EQ(other.reason,
            "SPF fail: 2001:db9::25 is not permitted to send for example.com; add it to "
            "example.com's SPF record");
}

TEST_F(SpfCheckTest, Ipv6ClientAsksAaaa) {
  sync_.script[{"example.com", ns_t_txt}] = txt("v=spf1 a -all");
  sync_.script[{"example.com", ns_t_aaaa}] = records({"2001:db8:0:0::25"});
  CheckResult r = check(sender("alice@example.com", "[2001:db8::25]:40000"));
  EXPECT_EQ(r.outcome, Outcome::kPass);
  EXPECT_EQ(sync_.sent, (Sent{{"example.com", ns_t_txt}, {"example.com", ns_t_aaaa}}));
}

TEST_F(SpfCheckTest, MappedIpv4ClientIsIpv4) {
  sync_.script[{"example.com", ns_t_txt}] = txt("v=spf1 ip4:192.0.2.1 -all");
  CheckResult r = check(sender("alice@example.com", "[::ffff:192.0.2.1]:40000"));
  EXPECT_EQ(r.outcome, Outcome::kPass);
}

TEST_F(SpfCheckTest, SyntaxErrorIsPermerror) {
  sync_.script[{"example.com", ns_t_txt}] = txt("v=spf1 ip4:not-an-address -all");
  ::testing::internal::CaptureStderr();
  CheckResult r = check("alice@example.com");
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");  // libspf2 prints nothing
  EXPECT_EQ(r.outcome, Outcome::kPermError);
  EXPECT_EQ(r.score, 3);
  EXPECT_EQ(r.enhanced, "5.7.24");
  EXPECT_EQ(r.reason,
            "SPF permerror: example.com's SPF record is broken (syntax error: invalid IPv4 "
            "address literal near 'not-an-addre'); fix the record");
}

TEST_F(SpfCheckTest, UnknownMechanismIsPermerror) {
  sync_.script[{"example.com", ns_t_txt}] = txt("v=spf1 foo:bar -all");
  CheckResult r = check("alice@example.com");
  EXPECT_EQ(r.outcome, Outcome::kPermError);
  EXPECT_TRUE(contains(r.reason, "example.com's SPF record is broken (")) << r.reason;
}

TEST_F(SpfCheckTest, TwoRecordsArePermerror) {
  sync_.script[{"example.com", ns_t_txt}] = records({"v=spf1 -all", "v=spf1 +all"});
  CheckResult r = check("alice@example.com");
  EXPECT_EQ(r.outcome, Outcome::kPermError);
  EXPECT_EQ(r.reason,
            "SPF permerror: example.com's SPF record is broken (multiple SPF records for "
            "'example.com'); fix the record");
}

TEST_F(SpfCheckTest, IncludeWithoutRecordIsPermerror) {
  sync_.script[{"example.com", ns_t_txt}] = txt("v=spf1 include:gone.example.net -all");
  CheckResult r = check("alice@example.com");
  EXPECT_EQ(r.outcome, Outcome::kPermError);
  EXPECT_TRUE(contains(r.reason, "gone.example.net")) << r.reason;
}

// Eleven includes in a row: libspf2 counts each included record's terms apart, so the
// layer counts them (RFC 7208 4.6.4).
TEST_F(SpfCheckTest, ChainOfIncludesIsPermerror) {
  deferred_.script[{"example.com", ns_t_txt}] = txt("v=spf1 include:l0.example.com -all");
  for (int i = 0; i < 11; ++i) {
    deferred_.script[{"l" + std::to_string(i) + ".example.com", ns_t_txt}] =
        txt("v=spf1 include:l" + std::to_string(i + 1) + ".example.com ?all");
  }
  CheckResult r = checkDeferred(sender("alice@example.com"));
  EXPECT_EQ(r.outcome, Outcome::kPermError);
  EXPECT_EQ(r.enhanced, "5.7.24");
  EXPECT_EQ(r.reason,
            "SPF permerror: example.com's SPF record is broken (too many DNS lookups: more than "
            "10); fix the record");
  EXPECT_TRUE(contains(r.detail, "lookups=11")) << r.detail;
  // The eleventh include is never fetched.
  for (const Key& k : deferred_.sent) EXPECT_NE(k.first, "l10.example.com");
}

TEST_F(SpfCheckTest, ElevenIncludesInOneRecordArePermerror) {
  std::string record = "v=spf1";
  for (int i = 0; i < 11; ++i) {
    record += " include:l" + std::to_string(i) + ".example.com";
    sync_.script[{"l" + std::to_string(i) + ".example.com", ns_t_txt}] = txt("v=spf1 ?all");
  }
  sync_.script[{"example.com", ns_t_txt}] = txt(record);  // no "all" after the eleventh
  CheckResult r = check("alice@example.com");
  EXPECT_EQ(r.outcome, Outcome::kPermError);
  EXPECT_TRUE(contains(r.reason, "too many DNS lookups")) << r.reason;

  sync_.script[{"example.com", ns_t_txt}] = txt(record + " -all");
  EXPECT_EQ(check("alice@example.com").outcome, Outcome::kPermError);
}

TEST_F(SpfCheckTest, TenTermsAreAllowedAndMxHostsDoNotCount) {
  std::string record = "v=spf1 mx";
  for (int i = 0; i < 9; ++i) {
    std::string name = "h" + std::to_string(i) + ".example.com";
    record += " a:" + name;
    sync_.script[{name, ns_t_a}] = records({"198.51.100.1"});
  }
  sync_.script[{"example.com", ns_t_txt}] = txt(record + " -all");
  sync_.script[{"example.com", ns_t_mx}] =
      records({"10 m1.example.com", "10 m2.example.com", "10 m3.example.com"});
  for (const char* m : {"m1.example.com", "m2.example.com", "m3.example.com"}) {
    sync_.script[{m, ns_t_a}] = records({"198.51.100.2"});
  }
  CheckResult r = check("alice@example.com");
  EXPECT_EQ(r.outcome, Outcome::kFail) << r.reason;
  EXPECT_TRUE(contains(r.detail, "lookups=10 void=0")) << r.detail;
}

TEST_F(SpfCheckTest, ThreeVoidLookupsArePermerror) {
  sync_.script[{"example.com", ns_t_txt}] =
      txt("v=spf1 a:n1.example.com mx:n2.example.com a:n3.example.com ip4:192.0.2.1 -all");
  sync_.script[{"n2.example.com", ns_t_mx}] = status(DnsStatus::kNoData);
  CheckResult r = check("alice@example.com");  // n1 and n3 are NXDOMAIN
  EXPECT_EQ(r.outcome, Outcome::kPermError);
  EXPECT_EQ(r.score, 3);
  EXPECT_EQ(r.reason,
            "SPF permerror: example.com's SPF record is broken (too many DNS lookups that found "
            "nothing: more than 2); fix the record");
  EXPECT_TRUE(contains(r.detail, "void=3")) << r.detail;
}

TEST_F(SpfCheckTest, TwoVoidLookupsAreAllowed) {
  sync_.script[{"example.com", ns_t_txt}] =
      txt("v=spf1 a:n1.example.com a:n2.example.com ip4:192.0.2.1 -all");
  CheckResult r = check("alice@example.com");
  EXPECT_EQ(r.outcome, Outcome::kPass);
  EXPECT_TRUE(contains(r.detail, "lookups=2 void=2")) << r.detail;
}

TEST_F(SpfCheckTest, ServfailIsTemperror) {
  const std::pair<DnsStatus, const char*> cases[] = {
      {DnsStatus::kServFail, "servfail"},
      {DnsStatus::kTimeout, "timeout"},
      {DnsStatus::kRefused, "refused"},
      {DnsStatus::kError, "error"},
  };
  for (const auto& [s, name] : cases) {
    sync_.script[{"example.com", ns_t_txt}] = status(s);
    CheckResult r = check("alice@example.com");
    EXPECT_EQ(r.outcome, Outcome::kTempError) << name;
    EXPECT_EQ(r.score, 0);
    EXPECT_EQ(r.enhanced, "4.7.24");
    EXPECT_EQ(r.ttl, std::chrono::seconds(0));
    EXPECT_EQ(r.reason, std::string("SPF temperror: example.com's SPF record could not be "
                                    "checked (DNS ") +
                            name + " for example.com TXT); try again later");
  }
}

TEST_F(SpfCheckTest, FaultBelowAnIncludeIsTemperror) {
  deferred_.script[{"example.com", ns_t_txt}] = txt("v=spf1 include:_spf.example.net -all");
  deferred_.script[{"_spf.example.net", ns_t_txt}] = txt("v=spf1 mx -all");
  deferred_.script[{"_spf.example.net", ns_t_mx}] = records({"10 mx.example.net"});
  deferred_.script[{"mx.example.net", ns_t_a}] = status(DnsStatus::kTimeout);
  CheckResult r = checkDeferred(sender("alice@example.com"));
  EXPECT_EQ(r.outcome, Outcome::kTempError);
  EXPECT_EQ(r.reason,
            "SPF temperror: example.com's SPF record could not be checked (DNS timeout for "
            "mx.example.net A); try again later");
}

TEST_F(SpfCheckTest, NullSenderChecksHelo) {
  sync_.script[{"mail.example.com", ns_t_txt}] = txt("v=spf1 ip4:192.0.2.1 -all");
  CheckResult r = check(sender(""));
  EXPECT_EQ(r.outcome, Outcome::kPass);
  EXPECT_EQ(r.reason, "SPF pass for mail.example.com");
  EXPECT_TRUE(contains(r.detail, "domain=mail.example.com scope=helo")) << r.detail;
  EXPECT_EQ(sync_.sent, (Sent{{"mail.example.com", ns_t_txt}}));
}

TEST_F(SpfCheckTest, NothingToCheckIsNone) {
  const std::pair<ClientContext, const char*> cases[] = {
      {sender("", "192.0.2.1:40000", "[192.0.2.1]"),
       "SPF none: [192.0.2.1] is not a domain SPF can check"},
      {sender("", "192.0.2.1:40000", "localhost"),
       "SPF none: localhost is not a domain SPF can check"},
      {sender("", "192.0.2.1:40000", ""), "SPF none: no HELO name to check"},
      {sender("alice@"), "SPF none: no sender domain to check"},
      {sender("alice@bad..example"), "SPF none: bad..example is not a domain SPF can check"},
  };
  for (const auto& [ctx, reason] : cases) {
    CheckResult r = check(ctx);
    EXPECT_EQ(r.outcome, Outcome::kNone) << reason;
    EXPECT_EQ(r.reason, reason);
  }
  EXPECT_TRUE(sync_.sent.empty());
}

// libspf2 passes 127.0.0.0/8 without looking; textscreen judges a loopback client (a
// proxy, a test) like any other, since a pass can trust an allowlisted domain.
TEST_F(SpfCheckTest, LoopbackClientGetsNoFreePass) {
  sync_.script[{"example.com", ns_t_txt}] = txt("v=spf1 ip4:127.0.0.2 -all");
  EXPECT_EQ(check(sender("alice@example.com", "127.0.0.3:40000")).outcome, Outcome::kFail);
  EXPECT_EQ(check(sender("alice@example.com", "127.0.0.2:40000")).outcome, Outcome::kPass);
}

TEST_F(SpfCheckTest, ExplanationIsNeverFetched) {
  sync_.script[{"example.com", ns_t_txt}] = txt("v=spf1 -all exp=explain.example.com");
  sync_.script[{"explain.example.com", ns_t_txt}] = txt("Not from here");
  CheckResult r = check("alice@example.com");
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_EQ(sync_.sent, (Sent{{"example.com", ns_t_txt}}));
}

TEST_F(SpfCheckTest, NamesAreAskedInLowerCase) {
  sync_.script[{"example.com", ns_t_txt}] = txt("v=spf1 include:SPF.Example.NET. -all");
  sync_.script[{"spf.example.net", ns_t_txt}] = txt("v=spf1 ip4:192.0.2.1 -all");
  CheckResult r = check("alice@EXAMPLE.com");
  EXPECT_EQ(r.outcome, Outcome::kPass);
  EXPECT_EQ(sync_.sent, (Sent{{"example.com", ns_t_txt}, {"spf.example.net", ns_t_txt}}));
}

TEST_F(SpfCheckTest, SynchronousAnswersFinishBeforeStartReturns) {
  sync_.script[{"example.com", ns_t_txt}] = txt("v=spf1 include:a.example.net -all");
  sync_.script[{"a.example.net", ns_t_txt}] = txt("v=spf1 include:b.example.net -all");
  sync_.script[{"b.example.net", ns_t_txt}] = txt("v=spf1 mx -all");
  sync_.script[{"b.example.net", ns_t_mx}] = records({"10 mx.b.example.net"});
  sync_.script[{"mx.b.example.net", ns_t_a}] = records({"192.0.2.1"});
  std::vector<CheckResult> results;
  auto run = check_.start(sender("alice@example.com"), sync_,
                          [&](CheckResult r) { results.push_back(r); });
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, Outcome::kPass);
  EXPECT_EQ(sync_.sent.size(), 5u);
}

TEST_F(SpfCheckTest, DestroyingTheRunCancelsAndNeverCallsBack) {
  deferred_.script[{"example.com", ns_t_txt}] = txt("v=spf1 include:_spf.example.net -all");
  int called = 0;
  auto run = check_.start(sender("alice@example.com"), deferred_, [&](CheckResult) { ++called; });
  EXPECT_EQ(deferred_.openCount(), 1u);
  run.reset();
  EXPECT_EQ(deferred_.cancelled, 1);
  EXPECT_EQ(deferred_.openCount(), 0u);

  // Destroyed in its second round.
  run = check_.start(sender("alice@example.com"), deferred_, [&](CheckResult) { ++called; });
  ASSERT_TRUE(deferred_.flush());
  EXPECT_EQ(deferred_.openCount(), 1u);  // the include
  run.reset();
  EXPECT_EQ(deferred_.cancelled, 2);
  EXPECT_FALSE(deferred_.flush());
  EXPECT_EQ(called, 0);
}

TEST_F(SpfCheckTest, OwnerMayDestroyTheRunInsideDone) {
  deferred_.script[{"example.com", ns_t_txt}] = txt("v=spf1 a mx -all");
  deferred_.script[{"example.com", ns_t_a}] = records({"192.0.2.1"});
  std::unique_ptr<CheckRun> run;
  std::vector<CheckResult> results;
  run = check_.start(sender("alice@example.com"), deferred_, [&](CheckResult r) {
    results.push_back(r);
    run.reset();
  });
  deferred_.flushAll();
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, Outcome::kPass);
  EXPECT_EQ(run, nullptr);
}

TEST_F(SpfCheckTest, InterleavedRunsKeepTheirOwnAnswers) {
  deferred_.script[{"a.example", ns_t_txt}] = txt("v=spf1 include:inc.a.example -all");
  deferred_.script[{"inc.a.example", ns_t_txt}] = txt("v=spf1 ip4:192.0.2.1 -all");
  deferred_.script[{"b.example", ns_t_txt}] = txt("v=spf1 include:inc.b.example -all");
  deferred_.script[{"inc.b.example", ns_t_txt}] = txt("v=spf1 ip4:198.51.100.1 -all");
  std::vector<CheckResult> a;
  std::vector<CheckResult> b;
  auto run_a =
      check_.start(sender("x@a.example"), deferred_, [&](CheckResult r) { a.push_back(r); });
  auto run_b =
      check_.start(sender("x@b.example"), deferred_, [&](CheckResult r) { b.push_back(r); });
  deferred_.flushAll();
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(a[0].outcome, Outcome::kPass);
  EXPECT_EQ(b[0].outcome, Outcome::kFail);
}

// FakeResolver answers by name only, one query at a time, in any order the test likes.
TEST_F(SpfCheckTest, AnswersInAnyOrder) {
  dns::testing::FakeResolver fake;
  std::vector<CheckResult> results;
  auto run =
      check_.start(sender("alice@example.com"), fake, [&](CheckResult r) { results.push_back(r); });
  ASSERT_TRUE(fake.answer("example.com", txt("v=spf1 a:one.example.com a:two.example.com -all")));
  EXPECT_EQ(fake.openCount(), 2u);
  ASSERT_TRUE(fake.answer("two.example.com", records({"192.0.2.1"})));
  EXPECT_TRUE(results.empty());
  ASSERT_TRUE(fake.answer("one.example.com", records({"198.51.100.1"})));
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, Outcome::kPass);
  EXPECT_EQ(fake.queries_sent, 3);
}

using ts::testing::loadWith;

TEST(SpfConfigKeys, Defaults) {
  auto c = loadConfig(Invocation{});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->spf.actions.fail, Action::kObserve);
  EXPECT_EQ(c->spf.actions.softfail, Action::kObserve);
  EXPECT_EQ(c->spf.actions.permerror, Action::kObserve);
  EXPECT_EQ(c->spf.actions.temperror, Action::kObserve);
  EXPECT_EQ(c->spf.actions.neutral, Action::kOff);
  EXPECT_EQ(c->spf.actions.none, Action::kOff);
  EXPECT_EQ(c->spf.fail_score, 5);
  EXPECT_EQ(c->spf.softfail_score, 2);
  EXPECT_EQ(c->spf.permerror_score, 2);
  EXPECT_EQ(c->spf.timeout, std::chrono::seconds(10));
}

TEST(SpfConfigKeys, FromFile) {
  auto c = loadWith(
      "spf_fail_action = reject\n"
      "spf_softfail_action = score\n"
      "spf_permerror_action = quarantine\n"
      "spf_temperror_action = tempfail\n"
      "spf_fail_score = 7\n"
      "spf_softfail_score = 1.5\n"
      "spf_permerror_score = 4\n"
      "spf_timeout = 4s\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->spf.actions.fail, Action::kReject);
  EXPECT_EQ(c->spf.actions.softfail, Action::kScore);
  EXPECT_EQ(c->spf.actions.permerror, Action::kQuarantine);
  EXPECT_EQ(c->spf.actions.temperror, Action::kTempfail);
  EXPECT_EQ(c->spf.fail_score, 7);
  EXPECT_EQ(c->spf.softfail_score, 1.5);
  EXPECT_EQ(c->spf.permerror_score, 4);
  EXPECT_EQ(c->spf.timeout, std::chrono::seconds(4));
}

TEST(SpfConfigKeys, TemperrorCannotReject) {
  for (const char* bad : {"reject", "quarantine", "score"}) {
    auto c = loadWith("", {std::string("spf_temperror_action=") + bad});
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_NE(c.error().message.find("spf_temperror_action"), std::string::npos)
        << c.error().message;
    EXPECT_NE(c.error().message.find("temporary"), std::string::npos) << c.error().message;
  }
  EXPECT_TRUE(loadWith("", {"spf_temperror_action=observe"}).ok());
}

TEST(SpfConfigKeys, BadValuesNameTheirKey) {
  const std::pair<const char*, const char*> cases[] = {
      {"spf_fail_action=bounce", "spf_fail_action"},
      {"spf_softfail_action=maybe", "spf_softfail_action"},
      {"spf_permerror_action=1", "spf_permerror_action"},
      {"spf_fail_score=lots", "spf_fail_score"},
      {"spf_timeout=0", "spf_timeout"},
      {"spf_timeout=2m", "spf_timeout"},
  };
  for (const auto& [override_text, key] : cases) {
    auto c = loadWith("", {override_text});
    ASSERT_FALSE(c.ok()) << override_text;
    EXPECT_NE(c.error().message.find(key), std::string::npos) << c.error().message;
  }
}

}  // namespace
}  // namespace ts
