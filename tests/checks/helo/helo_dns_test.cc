// The HELO name's DNS part driven by scripted resolvers: any A, AAAA or MX record passes,
// a null MX does not, nothing fails, a DNS fault without a record stays temporary; syntax
// failures and address literals never reach DNS; the run's lifetime.
#include <gtest/gtest.h>

#include <map>
#include <utility>
#include <vector>

#include "checks/helo/helo_check.h"
#include "unit/dns/fake_resolver.h"

namespace ts {
namespace {

using dns::DnsAnswer;
using dns::DnsStatus;
using dns::testing::FakeResolver;

constexpr const char* kName = "mail.example.com";

DnsAnswer records(std::vector<std::string> r) {
  return DnsAnswer{DnsStatus::kOk, std::move(r), std::chrono::seconds(300)};
}
DnsAnswer status(DnsStatus s) {
  return DnsAnswer{s, {}, std::chrono::seconds(0)};
}

ClientContext context(const char* helo = kName, const char* peer = "192.0.2.10:40000") {
  return ClientContext{
      *SocketAddress::parse(peer), helo, "mx.carrier.example", {"sms.example.net"}};
}

// Answers every query inside query(), as a cache hit does; unknown names are NXDOMAIN.
class SynchronousResolver final : public dns::Resolver {
 public:
  dns::QueryId query(const std::string& name, ns_type type, dns::DnsCallback cb) override {
    sent.push_back(type);
    auto it = script.find({name, type});
    cb(it == script.end() ? status(DnsStatus::kNxDomain) : it->second);
    return next_id_++;
  }
  void cancel(dns::QueryId) override { ++cancels; }

  std::map<std::pair<std::string, ns_type>, DnsAnswer> script;
  std::vector<ns_type> sent;
  int cancels = 0;

 private:
  dns::QueryId next_id_ = 1;
};

class HeloDnsTest : public ::testing::Test {
 protected:
  std::unique_ptr<CheckRun> start(const ClientContext& ctx = context()) {
    return check_.start(ctx, fake_, [this](CheckResult r) { results_.push_back(r); });
  }
  const CheckResult& only() {
    EXPECT_EQ(results_.size(), 1u);
    if (results_.empty()) results_.emplace_back();
    return results_.front();
  }
  // FakeResolver answers the oldest open query of a name: A, then AAAA, then MX.
  void answerInOrder(const std::vector<DnsAnswer>& answers) {
    for (const DnsAnswer& a : answers) ASSERT_TRUE(fake_.answer(kName, a));
  }

  FakeResolver fake_;
  HeloCheck check_{HeloConfig{Action::kScore, 3}};
  std::vector<CheckResult> results_;
};

TEST_F(HeloDnsTest, AsksAAaaaAndMxAtOnce) {
  auto run = start();
  EXPECT_EQ(fake_.queries_sent, 3);
  EXPECT_EQ(fake_.openCount(), 3u);
  EXPECT_TRUE(results_.empty());
}

TEST_F(HeloDnsTest, AddressRecordPassesAndCancelsTheRest) {
  auto run = start();
  answerInOrder({records({"192.0.2.10"})});
  const CheckResult& r = only();
  EXPECT_EQ(r.check, "helo");
  EXPECT_EQ(r.outcome, Outcome::kPass);
  EXPECT_EQ(r.score, 0);
  EXPECT_EQ(r.detail, "resolves (A)");
  EXPECT_EQ(fake_.cancelled, 2);
  EXPECT_EQ(fake_.openCount(), 0u);
}

TEST_F(HeloDnsTest, MxOnlyPasses) {
  auto run = start();
  answerInOrder(
      {status(DnsStatus::kNoData), status(DnsStatus::kNoData), records({"10 mx.example.com"})});
  EXPECT_EQ(only().outcome, Outcome::kPass);
  EXPECT_EQ(only().detail, "resolves (MX)");
}

TEST_F(HeloDnsTest, RecordOutweighsAFault) {
  auto run = start();
  answerInOrder({status(DnsStatus::kServFail), records({"2001:db8::1"})});
  EXPECT_EQ(only().outcome, Outcome::kPass);
  EXPECT_EQ(only().detail, "resolves (AAAA)");
}

TEST_F(HeloDnsTest, NullMxOnlyFails) {
  auto run = start();
  answerInOrder({status(DnsStatus::kNoData), status(DnsStatus::kNoData), records({"0 ."})});
  const CheckResult& r = only();
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_EQ(r.enhanced, "5.7.1");
  EXPECT_EQ(r.detail, "A=nodata AAAA=nodata MX=null");
}

TEST_F(HeloDnsTest, NothingFails) {
  auto run = start();
  answerInOrder({status(DnsStatus::kNxDomain), status(DnsStatus::kNxDomain)});
  EXPECT_TRUE(results_.empty());
  answerInOrder({status(DnsStatus::kNxDomain)});
  const CheckResult& r = only();
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_EQ(r.enhanced, "5.7.1");
  EXPECT_EQ(r.score, 3);
  EXPECT_EQ(r.reason,
            "HELO mail.example.com does not resolve (no A, AAAA or MX record): send a host name "
            "that exists in DNS");
  EXPECT_EQ(r.detail, "A=nxdomain AAAA=nxdomain MX=nxdomain");
}

TEST_F(HeloDnsTest, FaultWithoutRecordIsTempError) {
  auto run = start();
  answerInOrder(
      {status(DnsStatus::kNxDomain), status(DnsStatus::kServFail), status(DnsStatus::kNxDomain)});
  const CheckResult& r = only();
  EXPECT_EQ(r.outcome, Outcome::kTempError);
  EXPECT_EQ(r.enhanced, "4.7.1");
  EXPECT_EQ(r.score, 0);
  EXPECT_EQ(r.reason,
            "HELO name mail.example.com could not be resolved (servfail); try again later");
  EXPECT_EQ(r.detail, "A=nxdomain AAAA=servfail MX=nxdomain");
}

TEST_F(HeloDnsTest, SyntaxFailureMakesNoQuery) {
  auto run = start(context("localhost"));
  const CheckResult& r = only();
  EXPECT_EQ(r.outcome, Outcome::kFail);
  EXPECT_EQ(r.enhanced, "5.5.2");
  EXPECT_EQ(fake_.queries_sent, 0);
}

TEST_F(HeloDnsTest, AddressLiteralMakesNoQuery) {
  auto run = start(context("[192.0.2.10]"));
  EXPECT_EQ(only().outcome, Outcome::kPass);
  results_.clear();
  run = start(context("[192.0.2.11]"));
  EXPECT_EQ(only().outcome, Outcome::kFail);
  EXPECT_EQ(fake_.queries_sent, 0);
}

TEST_F(HeloDnsTest, DestroyingTheRunCancelsAndNeverCallsBack) {
  auto run = start();
  answerInOrder({status(DnsStatus::kNxDomain)});
  run.reset();
  EXPECT_EQ(fake_.cancelled, 2);
  EXPECT_EQ(fake_.openCount(), 0u);
  EXPECT_TRUE(results_.empty());
}

TEST_F(HeloDnsTest, DoneMayDestroyTheRun) {
  std::unique_ptr<CheckRun> run;
  run = check_.start(context(), fake_, [&](CheckResult r) {
    results_.push_back(r);
    run.reset();
  });
  answerInOrder({status(DnsStatus::kNoData), records({"2001:db8::1"})});
  EXPECT_EQ(only().outcome, Outcome::kPass);
  EXPECT_EQ(run, nullptr);
  EXPECT_EQ(fake_.openCount(), 0u);
}

TEST(HeloDnsSynchronous, AnswerBeforeStartReturnsStopsTheBatch) {
  SynchronousResolver resolver;
  resolver.script[{kName, ns_t_a}] = records({"192.0.2.10"});
  HeloCheck check(HeloConfig{Action::kScore, 3});
  std::vector<CheckResult> results;
  auto run = check.start(context(), resolver, [&](CheckResult r) { results.push_back(r); });
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, Outcome::kPass);
  EXPECT_EQ(resolver.sent, std::vector<ns_type>{ns_t_a});
  run.reset();
  EXPECT_EQ(results.size(), 1u);
}

TEST(HeloDnsSynchronous, EveryAnswerBeforeStartReturns) {
  SynchronousResolver resolver;
  resolver.script[{kName, ns_t_aaaa}] = status(DnsStatus::kTimeout);
  HeloCheck check(HeloConfig{Action::kScore, 3});
  std::vector<CheckResult> results;
  auto run = check.start(context(), resolver, [&](CheckResult r) { results.push_back(r); });
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, Outcome::kTempError);
  EXPECT_EQ(results[0].detail, "A=nxdomain AAAA=timeout MX=nxdomain");
  EXPECT_EQ(resolver.sent, (std::vector<ns_type>{ns_t_a, ns_t_aaaa, ns_t_mx}));
  EXPECT_EQ(resolver.cancels, 0);
}

}  // namespace
}  // namespace ts
