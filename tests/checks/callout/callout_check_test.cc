// The sender callout driven by a scripted resolver, a fake prober, an in-memory cache and a
// fake clock: what each server answer becomes, what is cached and what never is, the
// per-domain limits, and the run's lifetime (answers before start returns, cancel on
// destroy). Also its config keys and the limiter on its own.
#include "checks/callout/callout_check.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <regex>
#include <utility>
#include <vector>

#include "config/config.h"
#include "unit/dns/fake_resolver.h"

namespace ts {
namespace {

using dns::DnsAnswer;
using dns::DnsStatus;
using dns::testing::FakeResolver;
using namespace std::chrono_literals;

DnsAnswer records(std::vector<std::string> r) {
  return DnsAnswer{DnsStatus::kOk, std::move(r), std::chrono::seconds(300)};
}
DnsAnswer status(DnsStatus s) {
  return DnsAnswer{s, {}, std::chrono::seconds(0)};
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class FakeProber final : public SmtpProber {
 public:
  struct Probe {
    ProbeRequest request;
    ProbeDone done;
    bool live = true;
  };
  class Handle final : public SmtpProbe {
   public:
    Handle(std::shared_ptr<Probe> probe, FakeProber& owner)
        : probe_(std::move(probe)), owner_(owner) {}
    ~Handle() override {
      if (probe_->live) ++owner_.cancelled;
      probe_->live = false;
    }

   private:
    std::shared_ptr<Probe> probe_;
    FakeProber& owner_;
  };

  std::unique_ptr<SmtpProbe> probe(const ProbeRequest& request, ProbeDone done) override {
    auto p = std::make_shared<Probe>(Probe{request, std::move(done)});
    probes.push_back(p);
    return std::make_unique<Handle>(p, *this);
  }

  // Ends the oldest probe still in flight with report; false if none is.
  bool finish(ProbeReport report) {
    for (auto& p : probes) {
      if (!p->live) continue;
      p->live = false;
      ProbeDone done = std::move(p->done);
      done(std::move(report));
      return true;
    }
    return false;
  }

  std::vector<std::shared_ptr<Probe>> probes;
  int cancelled = 0;
};

class MemoryCache final : public CalloutCache {
 public:
  std::optional<CalloutCacheEntry> get(std::string_view address,
                                       std::chrono::system_clock::time_point now) override {
    ++gets;
    auto it = entries.find(calloutCacheKey(address));
    if (it == entries.end()) return std::nullopt;
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch());
    if (it->second.expires <= seconds.count()) return std::nullopt;
    return it->second;
  }
  void put(std::string_view address, const CalloutCacheEntry& entry,
           std::chrono::seconds ttl) override {
    CalloutCacheEntry e = entry;
    e.expires = e.checked + ttl.count();
    entries[calloutCacheKey(address)] = e;
    ttls[calloutCacheKey(address)] = ttl;
  }

  std::map<std::string, CalloutCacheEntry> entries;
  std::map<std::string, std::chrono::seconds> ttls;
  int gets = 0;
};

SmtpReply reply(int code, std::string text) {
  return SmtpReply{code, std::move(text)};
}

// A dialog that reached RCPT and got these answers for the random address and the sender.
ProbeReport rcptReport(std::vector<SmtpReply> rcpt) {
  ProbeReport r;
  r.stage = ProbeStage::kQuit;
  r.greeting = reply(220, "mx.example.com ESMTP");
  r.hello = reply(250, "mx.example.com");
  r.mail = reply(250, "2.1.0 ok");
  r.rcpt = std::move(rcpt);
  return r;
}

class CalloutCheckTest : public ::testing::Test {
 protected:
  CalloutCheckTest() {
    config_.action = Action::kReject;
    config_.score = 3;
    config_.port = 2525;
    config_.timeout = 20s;
  }

  ClientContext context(std::string mail_from = "bob@example.com") const {
    ClientContext c{*SocketAddress::parse("198.51.100.7:40000"),
                    "mail.example.com",
                    "mx.carrier.example",
                    {"sms.example.net"}};
    c.mail_from = std::move(mail_from);
    return c;
  }

  std::unique_ptr<CheckRun> start(const ClientContext& c, dns::Resolver& resolver) {
    CalloutCheck check(config_, services_);
    return check.start(c, resolver, [this](CheckResult r) {
      ++calls_;
      result_ = std::move(r);
    });
  }

  // Answers the MX and the mail server's address as a normal domain does.
  void answerDns(const std::string& domain = "example.com") {
    ASSERT_TRUE(resolver_.answer(domain, records({"10 mx." + domain})));
    ASSERT_TRUE(resolver_.answer("mx." + domain, records({"192.0.2.25"})));
  }

  std::chrono::system_clock::time_point now_ =
      std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
  CalloutConfig config_;
  FakeProber prober_;
  MemoryCache cache_;
  CalloutLimiter limiter_;
  CalloutServices services_{prober_, cache_, limiter_, [this] { return now_; }};
  FakeResolver resolver_;
  int calls_ = 0;
  std::optional<CheckResult> result_;
};

TEST_F(CalloutCheckTest, AcceptedSenderPassesAndIsCachedForThePositiveTtl) {
  auto run = start(context(), resolver_);
  answerDns();
  ASSERT_EQ(prober_.probes.size(), 1u);
  const ProbeRequest& req = prober_.probes[0]->request;
  EXPECT_EQ(req.server.toString(), "192.0.2.25:2525");
  EXPECT_EQ(req.helo_name, "mx.carrier.example");
  ASSERT_EQ(req.recipients.size(), 2u);
  EXPECT_TRUE(
      std::regex_match(req.recipients[0], std::regex("ts-probe-[0-9a-f]{16}@example\\.com")))
      << req.recipients[0];
  EXPECT_EQ(req.recipients[1], "bob@example.com");
  EXPECT_EQ(req.total_timeout, 20s);
  EXPECT_EQ(limiter_.inFlight("example.com"), 1u);
  EXPECT_EQ(calls_, 0);

  prober_.finish(rcptReport({reply(550, "5.1.1 no such user"), reply(250, "2.1.5 ok")}));
  ASSERT_EQ(calls_, 1);
  EXPECT_EQ(result_->check, "callout");
  EXPECT_EQ(result_->outcome, Outcome::kPass);
  EXPECT_TRUE(contains(result_->detail, "verified")) << result_->detail;
  EXPECT_TRUE(contains(result_->detail, "mx=mx.example.com")) << result_->detail;
  EXPECT_EQ(limiter_.inFlight("example.com"), 0u);
  ASSERT_EQ(cache_.entries.count("bob@example.com"), 1u);
  EXPECT_EQ(cache_.entries["bob@example.com"].finding, CalloutFinding::kVerified);
  EXPECT_EQ(cache_.ttls["bob@example.com"], config_.positive_ttl);
}

TEST_F(CalloutCheckTest, SenderRejectedWithA5xxFailsAndIsCachedForTheNegativeTtl) {
  auto run = start(context(), resolver_);
  answerDns();
  prober_.finish(rcptReport({reply(550, "5.1.1 no such user"),
                             reply(550, "5.1.1 <bob@example.com>: Recipient \x01unknown")}));
  ASSERT_EQ(calls_, 1);
  EXPECT_EQ(result_->outcome, Outcome::kFail);
  EXPECT_EQ(result_->enhanced, "5.1.7");
  EXPECT_EQ(result_->score, 3);
  EXPECT_EQ(result_->reason,
            "Sender address <bob@example.com> is rejected by its own domain's mail server (550 "
            "5.1.1 <bob@example.com>: Recipient ?unknown): use a sender address that can receive "
            "replies");
  EXPECT_EQ(cache_.entries["bob@example.com"].finding, CalloutFinding::kRejected);
  EXPECT_EQ(cache_.ttls["bob@example.com"], config_.negative_ttl);
}

TEST_F(CalloutCheckTest, LongServerTextIsCutInTheReason) {
  auto run = start(context(), resolver_);
  answerDns();
  prober_.finish(rcptReport({reply(550, "no"), reply(550, std::string(400, 'x'))}));
  ASSERT_EQ(calls_, 1);
  EXPECT_LT(result_->reason.size(), 250u);
  EXPECT_TRUE(contains(result_->reason, "...)")) << result_->reason;
}

TEST_F(CalloutCheckTest, AcceptAllServerPassesUnverifiedAndIsCachedAsAcceptAll) {
  auto run = start(context(), resolver_);
  answerDns();
  prober_.finish(rcptReport({reply(250, "ok"), reply(250, "ok")}));
  ASSERT_EQ(calls_, 1);
  EXPECT_EQ(result_->outcome, Outcome::kPass);
  EXPECT_TRUE(contains(result_->detail, "accept-all server: not verifiable")) << result_->detail;
  EXPECT_EQ(cache_.entries["bob@example.com"].finding, CalloutFinding::kAcceptAll);
  EXPECT_EQ(cache_.ttls["bob@example.com"], config_.positive_ttl);
}

TEST_F(CalloutCheckTest, CacheHitAnswersBeforeStartReturnsWithoutDnsOrProbe) {
  CalloutCacheEntry e;
  e.finding = CalloutFinding::kRejected;
  e.host = "mx.example.com";
  e.reply = "550 5.1.1 unknown";
  e.checked = 1'800'000'000 - 60;
  cache_.put("bob@Example.COM", e, 1h);
  auto run = start(context(), resolver_);
  ASSERT_EQ(calls_, 1);
  EXPECT_EQ(result_->outcome, Outcome::kFail);
  EXPECT_EQ(result_->enhanced, "5.1.7");
  EXPECT_TRUE(contains(result_->detail, "cached")) << result_->detail;
  EXPECT_TRUE(contains(result_->reason, "(550 5.1.1 unknown)")) << result_->reason;
  EXPECT_EQ(resolver_.queries_sent, 0);
  EXPECT_TRUE(prober_.probes.empty());
}

TEST_F(CalloutCheckTest, ExpiredCacheEntryProbesAgain) {
  CalloutCacheEntry e;
  e.finding = CalloutFinding::kVerified;
  e.checked = 1'800'000'000 - 7200;
  cache_.put("bob@example.com", e, 1h);
  auto run = start(context(), resolver_);
  EXPECT_EQ(calls_, 0);
  answerDns();
  EXPECT_EQ(prober_.probes.size(), 1u);
}

TEST_F(CalloutCheckTest, TemporaryAnswersAreTemperrorsAndNeverCached) {
  struct Case {
    ProbeReport report;
    std::string said;
  };
  ProbeReport timeout;
  timeout.fault = ProbeFault::kTimeout;
  timeout.stage = ProbeStage::kGreeting;
  ProbeReport refused;
  refused.fault = ProbeFault::kConnectFailed;
  ProbeReport lost_mid_rcpt = rcptReport({reply(550, "no")});
  lost_mid_rcpt.fault = ProbeFault::kClosed;
  ProbeReport busy_greeting;
  busy_greeting.stage = ProbeStage::kQuit;
  busy_greeting.greeting = reply(421, "busy");
  std::vector<Case> cases = {
      {rcptReport({reply(550, "no"), reply(450, "4.2.1 mailbox busy")}),
       "(its mail server mx.example.com answered 450 4.2.1 mailbox busy)"},
      {rcptReport({reply(451, "greylisted")}), "answered 451 greylisted"},
      {timeout, "(its mail server mx.example.com did not answer)"},
      {refused, "could not be reached"},
      {lost_mid_rcpt, "closed the connection"},
      {busy_greeting, "answered 421 busy"},
  };
  for (const Case& c : cases) {
    calls_ = 0;
    auto run = start(context(), resolver_);
    answerDns();
    ASSERT_TRUE(prober_.finish(c.report));
    ASSERT_EQ(calls_, 1);
    EXPECT_EQ(result_->outcome, Outcome::kTempError) << c.said;
    EXPECT_EQ(result_->enhanced, "4.1.7");
    EXPECT_TRUE(contains(result_->reason, "Sender address <bob@example.com> could not be verified"))
        << result_->reason;
    EXPECT_TRUE(contains(result_->reason, c.said)) << result_->reason;
    EXPECT_TRUE(contains(result_->reason, "; try again later")) << result_->reason;
    EXPECT_TRUE(cache_.entries.empty());
  }
}

TEST_F(CalloutCheckTest, DnsFaultsAreTemperrorsAndNeverCached) {
  auto run = start(context(), resolver_);
  ASSERT_TRUE(resolver_.answer("example.com", status(DnsStatus::kServFail)));
  ASSERT_EQ(calls_, 1);
  EXPECT_EQ(result_->outcome, Outcome::kTempError);
  EXPECT_EQ(result_->enhanced, "4.4.3");
  EXPECT_TRUE(contains(result_->reason, "try again later")) << result_->reason;

  calls_ = 0;
  run = start(context(), resolver_);
  ASSERT_TRUE(resolver_.answer("example.com", records({"10 mx.example.com"})));
  ASSERT_TRUE(resolver_.answer("mx.example.com", status(DnsStatus::kTimeout)));
  ASSERT_EQ(calls_, 1);
  EXPECT_EQ(result_->outcome, Outcome::kTempError);
  EXPECT_EQ(result_->enhanced, "4.4.3");
  EXPECT_TRUE(cache_.entries.empty());
  EXPECT_TRUE(prober_.probes.empty());
}

TEST_F(CalloutCheckTest, NullSenderPassesAtOnce) {
  auto run = start(context(""), resolver_);
  ASSERT_EQ(calls_, 1);
  EXPECT_EQ(result_->outcome, Outcome::kPass);
  EXPECT_EQ(result_->reason, "null sender: nothing to verify");
  EXPECT_EQ(resolver_.queries_sent, 0);
  EXPECT_EQ(cache_.gets, 0);
}

TEST_F(CalloutCheckTest, NullMxFailsWithoutAProbe) {
  auto run = start(context(), resolver_);
  ASSERT_TRUE(resolver_.answer("example.com", records({"0 ."})));
  ASSERT_EQ(calls_, 1);
  EXPECT_EQ(result_->outcome, Outcome::kFail);
  EXPECT_EQ(result_->enhanced, "5.7.27");
  EXPECT_TRUE(contains(result_->reason, "does not accept mail")) << result_->reason;
  EXPECT_EQ(resolver_.queries_sent, 1);
  EXPECT_TRUE(prober_.probes.empty());
  EXPECT_EQ(cache_.entries["bob@example.com"].finding, CalloutFinding::kNullMx);
}

TEST_F(CalloutCheckTest, NonexistentDomainFails) {
  auto run = start(context(), resolver_);
  ASSERT_TRUE(resolver_.answer("example.com", status(DnsStatus::kNxDomain)));
  ASSERT_EQ(calls_, 1);
  EXPECT_EQ(result_->outcome, Outcome::kFail);
  EXPECT_EQ(result_->enhanced, "5.1.8");
}

TEST_F(CalloutCheckTest, NoMxMeansTheDomainsARecordIsTheImplicitMx) {
  auto run = start(context(), resolver_);
  ASSERT_TRUE(resolver_.answer("example.com", status(DnsStatus::kNoData)));
  ASSERT_TRUE(resolver_.answer("example.com", records({"203.0.113.9"})));
  ASSERT_EQ(prober_.probes.size(), 1u);
  EXPECT_EQ(prober_.probes[0]->request.server.toString(), "203.0.113.9:2525");
  prober_.finish(rcptReport({reply(550, "no"), reply(250, "ok")}));
  ASSERT_EQ(calls_, 1);
  EXPECT_EQ(result_->outcome, Outcome::kPass);
  EXPECT_TRUE(contains(result_->detail, "mx=example.com")) << result_->detail;
}

TEST_F(CalloutCheckTest, BestMxFirstAndTheNextWhenItHasNoAddress) {
  auto run = start(context(), resolver_);
  ASSERT_TRUE(resolver_.answer(
      "example.com", records({"30 c.example.com.", "20 b.example.com", "10 A.example.com"})));
  EXPECT_FALSE(resolver_.answer("b.example.com", records({"192.0.2.2"})));  // not asked yet
  ASSERT_TRUE(resolver_.answer("a.example.com", status(DnsStatus::kNoData)));
  ASSERT_TRUE(resolver_.answer("b.example.com", records({"0.1.2.3", "192.0.2.2"})));
  ASSERT_EQ(prober_.probes.size(), 1u);
  EXPECT_EQ(prober_.probes[0]->request.server.toString(), "192.0.2.2:2525");
}

TEST_F(CalloutCheckTest, MailServerWithoutIpv4AddressIsNeutralAndNotCached) {
  auto run = start(context(), resolver_);
  ASSERT_TRUE(resolver_.answer("example.com", records({"10 mx.example.com"})));
  ASSERT_TRUE(resolver_.answer("mx.example.com", status(DnsStatus::kNoData)));
  ASSERT_EQ(calls_, 1);
  EXPECT_EQ(result_->outcome, Outcome::kNeutral);
  EXPECT_TRUE(cache_.entries.empty());
}

TEST_F(CalloutCheckTest, ServerRefusingTheProbeItselfIsNeutralAndCached) {
  auto run = start(context(), resolver_);
  answerDns();
  ProbeReport r;
  r.stage = ProbeStage::kQuit;
  r.greeting = reply(220, "hi");
  r.hello = reply(250, "hi");
  r.mail = reply(550, "5.7.1 null sender refused");
  prober_.finish(r);
  ASSERT_EQ(calls_, 1);
  EXPECT_EQ(result_->outcome, Outcome::kNeutral);
  EXPECT_TRUE(contains(result_->reason, "550 5.7.1 null sender refused")) << result_->reason;
  EXPECT_EQ(cache_.entries["bob@example.com"].finding, CalloutFinding::kUnverifiable);
}

TEST_F(CalloutCheckTest, AddressesThatAreNotAskedAreNeutral) {
  for (const char* sender :
       {"bob@sms.example.net", "nobody", "bob@[192.0.2.1]", "b\xc3\xb6@example.com"}) {
    calls_ = 0;
    auto run = start(context(sender), resolver_);
    ASSERT_EQ(calls_, 1) << sender;
    EXPECT_EQ(result_->outcome, Outcome::kNeutral) << sender;
  }
  EXPECT_EQ(resolver_.queries_sent, 0);
}

TEST_F(CalloutCheckTest, LimiterRefusesOverTheDomainsConcurrency) {
  config_.per_domain_concurrency = 1;
  auto first = start(context("a@example.com"), resolver_);
  answerDns();
  ASSERT_EQ(prober_.probes.size(), 1u);
  auto second = start(context("b@example.com"), resolver_);
  answerDns();
  ASSERT_EQ(calls_, 1);
  EXPECT_EQ(result_->outcome, Outcome::kTempError);
  EXPECT_TRUE(contains(result_->reason,
                       "too many verifications for example.com right now; try "
                       "again later"))
      << result_->reason;
  EXPECT_EQ(prober_.probes.size(), 1u);
  EXPECT_EQ(limiter_.refusedConcurrency(), 1u);
  EXPECT_TRUE(cache_.entries.empty());
  // Another domain is not affected.
  auto other = start(context("c@example.org"), resolver_);
  answerDns("example.org");
  EXPECT_EQ(prober_.probes.size(), 2u);
}

TEST_F(CalloutCheckTest, LimiterRefusesOverTheDomainsRatePerMinute) {
  config_.per_domain_per_minute = 2;
  for (const char* sender : {"a@example.com", "b@example.com"}) {
    auto run = start(context(sender), resolver_);
    answerDns();
    prober_.finish(rcptReport({reply(550, "no"), reply(250, "ok")}));
  }
  EXPECT_EQ(prober_.probes.size(), 2u);
  calls_ = 0;
  auto third = start(context("c@example.com"), resolver_);
  answerDns();
  ASSERT_EQ(calls_, 1);
  EXPECT_EQ(result_->outcome, Outcome::kTempError);
  EXPECT_EQ(prober_.probes.size(), 2u);
  EXPECT_EQ(limiter_.refusedRate(), 1u);

  now_ += 61s;
  auto later = start(context("c@example.com"), resolver_);
  answerDns();
  EXPECT_EQ(prober_.probes.size(), 3u);
}

TEST_F(CalloutCheckTest, DestroyingTheRunCancelsItsQueries) {
  auto run = start(context(), resolver_);
  ASSERT_TRUE(resolver_.answer("example.com", records({"10 mx.example.com"})));
  EXPECT_EQ(resolver_.openCount(), 1u);
  run.reset();
  EXPECT_EQ(resolver_.openCount(), 0u);
  EXPECT_EQ(resolver_.cancelled, 1);
  EXPECT_EQ(calls_, 0);
}

TEST_F(CalloutCheckTest, DestroyingTheRunCancelsItsProbeAndFreesItsSlot) {
  auto run = start(context(), resolver_);
  answerDns();
  ASSERT_EQ(prober_.probes.size(), 1u);
  EXPECT_EQ(limiter_.inFlight("example.com"), 1u);
  run.reset();
  EXPECT_EQ(prober_.cancelled, 1);
  EXPECT_EQ(limiter_.inFlight("example.com"), 0u);
  EXPECT_FALSE(prober_.finish(rcptReport({})));
  EXPECT_EQ(calls_, 0);
}

TEST_F(CalloutCheckTest, DoneMayDestroyTheRunFromInsideTheProbesCallback) {
  std::unique_ptr<CheckRun> run;
  CalloutCheck check(config_, services_);
  run = check.start(context(), resolver_, [&](CheckResult r) {
    result_ = std::move(r);
    run.reset();
  });
  answerDns();
  prober_.finish(rcptReport({reply(550, "no"), reply(250, "ok")}));
  EXPECT_EQ(run, nullptr);
  EXPECT_EQ(result_->outcome, Outcome::kPass);
  EXPECT_EQ(prober_.cancelled, 0);
}

// Answers every query inside query(), as the DNS cache does.
class SynchronousResolver final : public dns::Resolver {
 public:
  dns::QueryId query(const std::string& name, ns_type type, dns::DnsCallback cb) override {
    auto it = script.find({name, type});
    cb(it == script.end() ? status(DnsStatus::kNxDomain) : it->second);
    return next_id_++;
  }
  void cancel(dns::QueryId) override {}
  std::map<std::pair<std::string, ns_type>, DnsAnswer> script;

 private:
  dns::QueryId next_id_ = 1;
};

TEST_F(CalloutCheckTest, CachedDnsAnswersLeadStraightToTheProbe) {
  SynchronousResolver sync;
  sync.script[{"example.com", ns_t_mx}] = records({"10 mx.example.com"});
  sync.script[{"mx.example.com", ns_t_a}] = records({"192.0.2.25"});
  auto run = start(context(), sync);
  ASSERT_EQ(prober_.probes.size(), 1u);
  EXPECT_EQ(calls_, 0);
  prober_.finish(rcptReport({reply(550, "no"), reply(550, "no such user")}));
  ASSERT_EQ(calls_, 1);
  EXPECT_EQ(result_->outcome, Outcome::kFail);

  calls_ = 0;
  sync.script[{"example.org", ns_t_mx}] = records({"0 ."});
  auto null_mx = start(context("bob@example.org"), sync);
  ASSERT_EQ(calls_, 1);  // before start returned
  EXPECT_EQ(result_->enhanced, "5.7.27");
}

TEST(CalloutLimiter, TicketsCountUntilReleasedAndStartsUntilTheMinuteIsOver) {
  CalloutLimiter limiter;
  auto t0 = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
  auto a = limiter.acquire("example.com", t0, 2, 3);
  auto b = limiter.acquire("example.com", t0, 2, 3);
  ASSERT_TRUE(std::holds_alternative<CalloutLimiter::Ticket>(a));
  ASSERT_TRUE(std::holds_alternative<CalloutLimiter::Ticket>(b));
  auto c = limiter.acquire("example.com", t0, 2, 3);
  ASSERT_TRUE(std::holds_alternative<CalloutLimiter::Refusal>(c));
  EXPECT_EQ(std::get<CalloutLimiter::Refusal>(c), CalloutLimiter::Refusal::kConcurrency);
  std::get<CalloutLimiter::Ticket>(a).release();
  auto d = limiter.acquire("example.com", t0 + 1s, 2, 3);
  ASSERT_TRUE(std::holds_alternative<CalloutLimiter::Ticket>(d));
  std::get<CalloutLimiter::Ticket>(b).release();
  std::get<CalloutLimiter::Ticket>(d).release();
  auto e = limiter.acquire("example.com", t0 + 2s, 2, 3);
  ASSERT_TRUE(std::holds_alternative<CalloutLimiter::Refusal>(e));
  EXPECT_EQ(std::get<CalloutLimiter::Refusal>(e), CalloutLimiter::Refusal::kRate);
  auto f = limiter.acquire("example.com", t0 + 60s, 2, 3);
  EXPECT_TRUE(std::holds_alternative<CalloutLimiter::Ticket>(f));
}

TEST(CalloutLimiter, ForgetsIdleDomains) {
  CalloutLimiter limiter;
  auto t0 = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
  for (int i = 0; i < 100; ++i) {
    auto t = limiter.acquire("d" + std::to_string(i) + ".example", t0, 1, 1);
    ASSERT_TRUE(std::holds_alternative<CalloutLimiter::Ticket>(t));
  }
  EXPECT_EQ(limiter.domainsTracked(), 100u);
  auto held = limiter.acquire("held.example", t0 + 30s, 1, 1);
  auto later = limiter.acquire("new.example", t0 + 2min, 1, 1);
  EXPECT_EQ(limiter.domainsTracked(), 2u);
  EXPECT_EQ(limiter.inFlight("held.example"), 1u);
}

TEST(CalloutConfig, KeysLoadWithDefaultsAndRefuseBadValues) {
  auto c = loadConfig(Invocation{});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->callout.action, Action::kOff);
  EXPECT_EQ(c->callout.score, 3);
  EXPECT_EQ(c->callout.temperror_action, Action::kObserve);
  EXPECT_EQ(c->callout.timeout, 30s);
  EXPECT_EQ(c->callout.port, 25);
  EXPECT_EQ(c->callout.positive_ttl, std::chrono::hours(24 * 7));
  EXPECT_EQ(c->callout.negative_ttl, 1h);
  EXPECT_EQ(c->callout.per_domain_concurrency, 2u);
  EXPECT_EQ(c->callout.per_domain_per_minute, 10u);

  Invocation set;
  set.overrides = {"callout_action=reject", "callout_port=2525", "callout_negative_ttl=10m",
                   "callout_domain_rate=3"};
  auto s = loadConfig(set);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->callout.action, Action::kReject);
  EXPECT_EQ(s->callout.port, 2525);
  EXPECT_EQ(s->callout.negative_ttl, 10min);
  EXPECT_EQ(s->callout.per_domain_per_minute, 3u);

  for (const char* bad : {"callout_timeout=61s", "callout_temperror_action=reject",
                          "callout_port=0", "callout_port=70000", "callout_domain_concurrency=0"}) {
    Invocation inv;
    inv.overrides = {bad};
    auto r = loadConfig(inv);
    ASSERT_FALSE(r.ok()) << bad;
    std::string key(bad, std::string_view(bad).find('='));
    EXPECT_TRUE(contains(r.error().message, key)) << r.error().message;
  }
}

}  // namespace
}  // namespace ts
