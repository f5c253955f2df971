// The reverse DNS check (FCrDNS) driven by scripted resolvers: confirmation, a missing or
// unconfirmed PTR, DNS faults that must stay temporary, both address families, and the
// run's lifetime (answers before start returns, cancel on destroy).
#include "checks/rdns/rdns_check.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "unit/dns/fake_resolver.h"

namespace ts {
namespace {

using dns::DnsAnswer;
using dns::DnsStatus;
using dns::testing::FakeResolver;
using Sent = std::vector<std::pair<std::string, ns_type>>;

constexpr const char* kPtr4 = "1.2.0.192.in-addr.arpa";

DnsAnswer records(std::vector<std::string> r) {
  return DnsAnswer{DnsStatus::kOk, std::move(r), std::chrono::seconds(300)};
}
DnsAnswer status(DnsStatus s) {
  return DnsAnswer{s, {}, std::chrono::seconds(0)};
}

ClientContext client(const char* peer = "192.0.2.1:40000") {
  return ClientContext{
      *SocketAddress::parse(peer), "mail.example.com", "mx.carrier.example", {"sms.example.net"}};
}

RdnsConfig config() {
  RdnsConfig c;
  c.action = Action::kScore;
  c.score = 3;
  return c;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Forwards to another resolver and notes each query's name and type.
class RecordingResolver final : public dns::Resolver {
 public:
  explicit RecordingResolver(dns::Resolver& inner) : inner_(inner) {}
  dns::QueryId query(const std::string& name, ns_type type, dns::DnsCallback cb) override {
    sent.emplace_back(name, type);
    return inner_.query(name, type, std::move(cb));
  }
  void cancel(dns::QueryId id) override { inner_.cancel(id); }

  Sent sent;

 private:
  dns::Resolver& inner_;
};

// Answers every query inside query(), as a cache hit does; unknown names are NXDOMAIN.
class SynchronousResolver final : public dns::Resolver {
 public:
  dns::QueryId query(const std::string& name, ns_type type, dns::DnsCallback cb) override {
    sent.emplace_back(name, type);
    auto it = script.find({name, type});
    cb(it == script.end() ? status(DnsStatus::kNxDomain) : it->second);
    return next_id_++;
  }
  void cancel(dns::QueryId) override { ++cancels; }

  std::map<std::pair<std::string, ns_type>, DnsAnswer> script;
  Sent sent;
  int cancels = 0;

 private:
  dns::QueryId next_id_ = 1;
};

class RdnsCheckTest : public ::testing::Test {
 protected:
  std::unique_ptr<CheckRun> start(const ClientContext& ctx = client()) {
    return check_.start(ctx, resolver_, [this](CheckResult r) { results_.push_back(r); });
  }
  const CheckResult& only() {
    EXPECT_EQ(results_.size(), 1u);
    if (results_.empty()) results_.emplace_back();
    return results_.front();
  }

  FakeResolver fake_;
  RecordingResolver resolver_{fake_};
  RdnsCheck check_{config()};
  std::vector<CheckResult> results_;
};

TEST_F(RdnsCheckTest, ConfirmedNamePasses) {
  auto run = start();
  ASSERT_TRUE(fake_.answer(kPtr4, records({"mail.example.com"})));
  EXPECT_TRUE(results_.empty());
  ASSERT_TRUE(fake_.answer("mail.example.com", records({"198.51.100.7", "192.0.2.1"})));
  const CheckResult& r = only();
  EXPECT_EQ(r.check, "rdns");
  EXPECT_EQ(r.outcome, Outcome::kPass);
  EXPECT_EQ(r.score, 0);
  EXPECT_EQ(r.enhanced, "");
  EXPECT_TRUE(contains(r.reason, "mail.example.com")) << r.reason;
  EXPECT_EQ(r.detail, "confirmed mail.example.com; ptr mail.example.com=198.51.100.7,192.0.2.1");
  EXPECT_EQ(resolver_.sent, (Sent{{kPtr4, ns_t_ptr}, {"mail.example.com", ns_t_a}}));
}

TEST_F(RdnsCheckTest, MissingPtrFails) {
  const std::pair<DnsAnswer, const char*> cases[] = {
      {status(DnsStatus::kNxDomain), "ptr nxdomain"},
      {status(DnsStatus::kNoData), "ptr nodata"},
      {records({}), "ptr nodata"},
  };
  for (const auto& [answer, detail] : cases) {
    results_.clear();
    auto run = start();
    ASSERT_TRUE(fake_.answer(kPtr4, answer));
    const CheckResult& r = only();
    EXPECT_EQ(r.outcome, Outcome::kFail) << detail;
    EXPECT_EQ(r.enhanced, "5.7.25");
    EXPECT_EQ(r.score, 3);
    EXPECT_EQ(r.reason,
              "Reverse DNS of 192.0.2.1 is missing: ask the owner of the address (your ISP) for a "
              "PTR record whose name resolves back to 192.0.2.1");
    EXPECT_EQ(r.detail, detail);
  }
  EXPECT_EQ(fake_.queries_sent, 3);  // no forward lookup without a name
}

TEST_F(RdnsCheckTest, ForwardToAnotherAddressFails) {
  auto run = start();
  ASSERT_TRUE(fake_.answer(kPtr4, records({"mail.example.com"})));
  ASSERT_TRUE(fake_.answer("mail.example.com", records({"198.51.100.7"})));
  const CheckResult& r = only();
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_EQ(r.enhanced, "5.7.25");
  EXPECT_EQ(r.score, 3);
  EXPECT_EQ(r.reason,
            "Reverse DNS of 192.0.2.1 does not confirm: its PTR name mail.example.com does not "
            "resolve back to 192.0.2.1; set a PTR whose name resolves back to it");
  EXPECT_EQ(r.detail, "not confirmed; ptr mail.example.com=198.51.100.7");
}

TEST_F(RdnsCheckTest, ForwardNxdomainFails) {
  auto run = start();
  ASSERT_TRUE(fake_.answer(kPtr4, records({"a.example.com", "b.example.com"})));
  ASSERT_TRUE(fake_.answer("a.example.com", status(DnsStatus::kNxDomain)));
  EXPECT_TRUE(results_.empty());
  ASSERT_TRUE(fake_.answer("b.example.com", status(DnsStatus::kNoData)));
  const CheckResult& r = only();
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_EQ(r.enhanced, "5.7.25");
  EXPECT_EQ(r.reason,
            "Reverse DNS of 192.0.2.1 does not confirm: none of its PTR names (a.example.com, "
            "b.example.com) resolves back to 192.0.2.1; set a PTR whose name resolves back to it");
  EXPECT_EQ(r.detail, "not confirmed; ptr a.example.com=nxdomain b.example.com=nodata");
}

TEST_F(RdnsCheckTest, PtrServfailIsTempError) {
  auto run = start();
  ASSERT_TRUE(fake_.answer(kPtr4, status(DnsStatus::kServFail)));
  const CheckResult& r = only();
  EXPECT_EQ(r.outcome, Outcome::kTempError);
  EXPECT_EQ(r.enhanced, "4.7.25");
  EXPECT_EQ(r.score, 0);
  EXPECT_EQ(r.reason, "Reverse DNS of 192.0.2.1 could not be checked (servfail); try again later");
  EXPECT_EQ(r.detail, "ptr servfail");
}

TEST_F(RdnsCheckTest, ForwardTimeoutWithoutConfirmationIsTempError) {
  auto run = start();
  ASSERT_TRUE(fake_.answer(kPtr4, records({"a.example.com", "b.example.com"})));
  ASSERT_TRUE(fake_.answer("a.example.com", status(DnsStatus::kTimeout)));
  ASSERT_TRUE(fake_.answer("b.example.com", records({"198.51.100.7"})));
  const CheckResult& r = only();
  EXPECT_EQ(r.outcome, Outcome::kTempError);
  EXPECT_EQ(r.enhanced, "4.7.25");
  EXPECT_EQ(r.score, 0);
  EXPECT_EQ(r.reason,
            "Reverse DNS of 192.0.2.1 could not be checked (timeout resolving a.example.com); try "
            "again later");
  EXPECT_EQ(r.detail, "not confirmed; ptr a.example.com=timeout b.example.com=198.51.100.7");
}

TEST_F(RdnsCheckTest, ConfirmationOutweighsAnotherNamesTimeout) {
  auto run = start();
  ASSERT_TRUE(fake_.answer(kPtr4, records({"a.example.com", "b.example.com"})));
  ASSERT_TRUE(fake_.answer("a.example.com", status(DnsStatus::kTimeout)));
  ASSERT_TRUE(fake_.answer("b.example.com", records({"192.0.2.1"})));
  EXPECT_EQ(only().outcome, Outcome::kPass);
  EXPECT_EQ(only().detail,
            "confirmed b.example.com; ptr a.example.com=timeout b.example.com=192.0.2.1");
}

TEST_F(RdnsCheckTest, SecondOfTwoNamesConfirms) {
  auto run = start();
  ASSERT_TRUE(fake_.answer(kPtr4, records({"a.example.com", "b.example.com"})));
  EXPECT_EQ(fake_.openCount(), 2u);  // both names asked at once
  ASSERT_TRUE(fake_.answer("a.example.com", records({"198.51.100.7"})));
  ASSERT_TRUE(fake_.answer("b.example.com", records({"192.0.2.1"})));
  const CheckResult& r = only();
  EXPECT_EQ(r.outcome, Outcome::kPass);
  EXPECT_EQ(r.detail,
            "confirmed b.example.com; ptr a.example.com=198.51.100.7 b.example.com=192.0.2.1");
}

TEST_F(RdnsCheckTest, FirstConfirmationCancelsTheRest) {
  auto run = start();
  ASSERT_TRUE(fake_.answer(kPtr4, records({"a.example.com", "b.example.com", "c.example.com"})));
  ASSERT_TRUE(fake_.answer("b.example.com", records({"192.0.2.1"})));
  const CheckResult& r = only();
  EXPECT_EQ(r.outcome, Outcome::kPass);
  EXPECT_EQ(r.detail,
            "confirmed b.example.com; ptr a.example.com=unanswered b.example.com=192.0.2.1 "
            "c.example.com=unanswered");
  EXPECT_EQ(fake_.cancelled, 2);
  EXPECT_EQ(fake_.openCount(), 0u);
  run.reset();
  EXPECT_EQ(fake_.cancelled, 2);  // nothing left to cancel
}

TEST_F(RdnsCheckTest, Ipv6ClientUsesAaaaAndIp6Arpa) {
  const std::string ptr =
      "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa";
  auto run = start(client("[2001:db8::1]:40000"));
  ASSERT_TRUE(fake_.answer(ptr, records({"mail6.example.com"})));
  // Another text form of the same address still confirms.
  ASSERT_TRUE(fake_.answer("mail6.example.com", records({"2001:0db8:0:0::1"})));
  EXPECT_EQ(only().outcome, Outcome::kPass);
  EXPECT_EQ(resolver_.sent, (Sent{{ptr, ns_t_ptr}, {"mail6.example.com", ns_t_aaaa}}));

  results_.clear();
  run = start(client("[2001:db8::1]:40000"));
  ASSERT_TRUE(fake_.answer(ptr, status(DnsStatus::kNxDomain)));
  EXPECT_TRUE(contains(only().reason, "Reverse DNS of 2001:db8::1 is missing")) << only().reason;
}

TEST_F(RdnsCheckTest, MappedIpv4ClientUsesAAndInAddrArpa) {
  auto run = start(client("[::ffff:192.0.2.1]:40000"));
  ASSERT_TRUE(fake_.answer(kPtr4, records({"mail.example.com"})));
  ASSERT_TRUE(fake_.answer("mail.example.com", records({"192.0.2.1"})));
  EXPECT_EQ(only().outcome, Outcome::kPass);
  EXPECT_EQ(resolver_.sent, (Sent{{kPtr4, ns_t_ptr}, {"mail.example.com", ns_t_a}}));

  results_.clear();
  run = start(client("[::ffff:192.0.2.1]:40000"));
  ASSERT_TRUE(fake_.answer(kPtr4, status(DnsStatus::kServFail)));
  EXPECT_EQ(only().reason,
            "Reverse DNS of 192.0.2.1 could not be checked (servfail); try again later");
}

TEST_F(RdnsCheckTest, AtMostTenPtrNamesAreAsked) {
  std::vector<std::string> names;
  for (int i = 0; i < 12; ++i) names.push_back("n" + std::to_string(i) + ".example.com");
  auto run = start();
  ASSERT_TRUE(fake_.answer(kPtr4, records(names)));
  EXPECT_EQ(fake_.queries_sent, 11);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(fake_.answer(names[i], status(DnsStatus::kNxDomain)));
  const CheckResult& r = only();
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_TRUE(contains(r.reason, "(n0.example.com, n1.example.com, n2.example.com and 7 more)"))
      << r.reason;
  EXPECT_TRUE(contains(r.detail, "n9.example.com=nxdomain (+2 PTR names ignored)")) << r.detail;
  EXPECT_FALSE(contains(r.detail, "n10.example.com")) << r.detail;
}

TEST_F(RdnsCheckTest, NameThatIsNotAHostNameIsNotAsked) {
  auto run = start();
  ASSERT_TRUE(fake_.answer(kPtr4, records({"bad\\032name.example.com", "good.example.com"})));
  EXPECT_EQ(resolver_.sent, (Sent{{kPtr4, ns_t_ptr}, {"good.example.com", ns_t_a}}));
  ASSERT_TRUE(fake_.answer("good.example.com", status(DnsStatus::kNxDomain)));
  const CheckResult& r = only();
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_EQ(r.detail,
            "not confirmed; ptr bad\\032name.example.com=not-a-host-name "
            "good.example.com=nxdomain");

  results_.clear();
  run = start();
  ASSERT_TRUE(fake_.answer(kPtr4, records({"."})));
  EXPECT_EQ(only().outcome, Outcome::kFail);  // settled without a forward lookup
}

TEST_F(RdnsCheckTest, PeerWithoutAddressPasses) {
  auto run = start(ClientContext{});
  const CheckResult& r = only();
  EXPECT_EQ(r.outcome, Outcome::kPass);
  EXPECT_EQ(r.detail, "no address");
  EXPECT_EQ(fake_.queries_sent, 0);
}

TEST_F(RdnsCheckTest, DestroyingTheRunCancelsAndNeverCallsBack) {
  auto run = start();
  run.reset();
  EXPECT_EQ(fake_.cancelled, 1);
  EXPECT_EQ(fake_.openCount(), 0u);

  run = start();
  ASSERT_TRUE(fake_.answer(kPtr4, records({"a.example.com", "b.example.com"})));
  ASSERT_TRUE(fake_.answer("a.example.com", records({"198.51.100.7"})));
  run.reset();
  EXPECT_EQ(fake_.cancelled, 2);
  EXPECT_EQ(fake_.openCount(), 0u);
  EXPECT_TRUE(results_.empty());
}

TEST_F(RdnsCheckTest, DoneMayDestroyTheRun) {
  std::unique_ptr<CheckRun> run;
  run = check_.start(client(), resolver_, [&](CheckResult r) {
    results_.push_back(r);
    run.reset();
  });
  ASSERT_TRUE(fake_.answer(kPtr4, records({"a.example.com", "b.example.com"})));
  ASSERT_TRUE(fake_.answer("a.example.com", records({"192.0.2.1"})));
  EXPECT_EQ(only().outcome, Outcome::kPass);
  EXPECT_EQ(run, nullptr);
  EXPECT_EQ(fake_.openCount(), 0u);
}

TEST(RdnsCheckSynchronous, AnswersBeforeStartReturns) {
  SynchronousResolver resolver;
  resolver.script[{kPtr4, ns_t_ptr}] = records({"a.example.com", "b.example.com", "c.example.com"});
  resolver.script[{"a.example.com", ns_t_a}] = records({"198.51.100.7"});
  resolver.script[{"b.example.com", ns_t_a}] = records({"192.0.2.1"});
  RdnsCheck check(config());
  std::vector<CheckResult> results;
  auto run = check.start(client(), resolver, [&](CheckResult r) { results.push_back(r); });
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, Outcome::kPass);
  EXPECT_EQ(results[0].detail,
            "confirmed b.example.com; ptr a.example.com=198.51.100.7 b.example.com=192.0.2.1 "
            "c.example.com=unanswered");
  // The confirmation stops the batch: c.example.com is never sent.
  EXPECT_EQ(resolver.sent,
            (Sent{{kPtr4, ns_t_ptr}, {"a.example.com", ns_t_a}, {"b.example.com", ns_t_a}}));
  run.reset();
  EXPECT_EQ(results.size(), 1u);
}

TEST(RdnsCheckSynchronous, UnconfirmedAfterEveryNameAnswered) {
  SynchronousResolver resolver;
  resolver.script[{kPtr4, ns_t_ptr}] = records({"a.example.com", "b.example.com"});
  resolver.script[{"a.example.com", ns_t_a}] = records({"198.51.100.7"});
  RdnsCheck check(config());
  std::vector<CheckResult> results;
  auto run = check.start(client(), resolver, [&](CheckResult r) { results.push_back(r); });
  ASSERT_EQ(results.size(), 1u);  // not finished early by the first answer
  EXPECT_EQ(results[0].outcome, Outcome::kFail);
  EXPECT_EQ(results[0].detail,
            "not confirmed; ptr a.example.com=198.51.100.7 b.example.com=nxdomain");
  EXPECT_EQ(resolver.sent.size(), 3u);
  EXPECT_EQ(resolver.cancels, 0);
}

// The PTR answer arrives later, the forward answers from a cache inside query().
TEST(RdnsCheckSynchronous, ForwardAnswersFromCacheAfterAsyncPtr) {
  FakeResolver fake;
  SynchronousResolver cache;
  cache.script[{"a.example.com", ns_t_a}] = records({"192.0.2.1"});
  // PTR lookups go to the fake (async), forward lookups to the scripted cache (sync).
  class Split final : public dns::Resolver {
   public:
    Split(dns::Resolver& ptr, dns::Resolver& forward) : ptr_(ptr), forward_(forward) {}
    dns::QueryId query(const std::string& name, ns_type type, dns::DnsCallback cb) override {
      return (type == ns_t_ptr ? ptr_ : forward_).query(name, type, std::move(cb));
    }
    void cancel(dns::QueryId id) override { ptr_.cancel(id); }

   private:
    dns::Resolver& ptr_;
    dns::Resolver& forward_;
  } split(fake, cache);
  RdnsCheck check(config());
  std::vector<CheckResult> results;
  std::unique_ptr<CheckRun> run;
  run = check.start(client(), split, [&](CheckResult r) {
    results.push_back(r);
    run.reset();
  });
  EXPECT_TRUE(results.empty());
  ASSERT_TRUE(fake.answer(kPtr4, records({"a.example.com", "b.example.com"})));
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, Outcome::kPass);
  EXPECT_EQ(cache.sent.size(), 1u);
  EXPECT_EQ(run, nullptr);
}

}  // namespace
}  // namespace ts
