// The screening of one client: checks run side by side, a deadline turns a silent check
// into a counted temperror and cancels its lookups, the settle callback never runs inside
// a check's callback, and proposals take the temperror action for temporary outcomes.
#include "checks/client_screening.h"

#include <event2/event.h>
#include <gtest/gtest.h>

#include "unit/dns/fake_resolver.h"

namespace ts {
namespace {

using dns::testing::FakeResolver;
using namespace std::chrono_literals;

// A check that asks the resolver for one name and passes on NOERROR, fails otherwise.
class OneQueryRun final : public CheckRun {
 public:
  OneQueryRun(dns::Resolver& r, const std::string& name, std::string check, CheckDone done)
      : resolver_(r) {
    id_ = r.query(name, ns_t_a, [this, check, done](const dns::DnsAnswer& a) {
      id_ = dns::kNoQuery;
      CheckResult result;
      result.check = check;
      result.outcome = a.status == dns::DnsStatus::kOk ? Outcome::kPass : Outcome::kFail;
      result.enhanced = "5.7.1";
      result.reason = "listed";
      done(result);
    });
  }
  ~OneQueryRun() override {
    if (id_ != dns::kNoQuery) resolver_.cancel(id_);
  }

 private:
  dns::Resolver& resolver_;
  dns::QueryId id_ = dns::kNoQuery;
};

ScreeningCheck oneQuery(std::string_view name, const std::string& qname,
                        std::chrono::milliseconds deadline = 5s) {
  return ScreeningCheck{
      name, "test", deadline, OutcomeActions::uniform(Action::kReject, Action::kTempfail),
      [qname, name](const ClientContext&, dns::Resolver& r, CheckDone done) {
        return std::make_unique<OneQueryRun>(r, qname, std::string(name), std::move(done));
      }};
}

dns::DnsAnswer answer(dns::DnsStatus status) {
  dns::DnsAnswer a;
  a.status = status;
  if (status == dns::DnsStatus::kOk) a.records = {"127.0.0.2"};
  return a;
}

class ClientScreeningTest : public ::testing::Test {
 protected:
  ClientScreeningTest() : base_(event_base_new()) {}
  ~ClientScreeningTest() override {
    screening_.reset();
    event_base_free(base_);
  }
  void make() { screening_ = std::make_unique<ClientScreening>(base_, fake_, stats_, "ts-test"); }
  // Runs the loop until settled (bounded: the loop exits when nothing is left to wait for).
  bool runUntilSettled() {
    bool settled = false;
    screening_->whenSettled([&] { settled = true; });
    for (int i = 0; i < 100 && !settled; ++i) event_base_loop(base_, EVLOOP_ONCE);
    return settled;
  }

  event_base* base_;
  FakeResolver fake_;
  CheckStatsTable stats_;
  ClientContext context_{*SocketAddress::parse("192.0.2.1:1"), "", "mx.example", {}};
  std::unique_ptr<ClientScreening> screening_;
};

TEST_F(ClientScreeningTest, ChecksRunSideBySideAndSettleAfterTheLast) {
  make();
  screening_->start(oneQuery("rdns", "a.test"), context_);
  screening_->start(oneQuery("dnsbl", "b.test"), context_);
  EXPECT_EQ(fake_.openCount(), 2u);
  bool settled = false;
  screening_->whenSettled([&] { settled = true; });
  ASSERT_TRUE(fake_.answer("a.test", answer(dns::DnsStatus::kOk)));
  EXPECT_TRUE(screening_->pending());
  ASSERT_TRUE(fake_.answer("b.test", answer(dns::DnsStatus::kNxDomain)));
  EXPECT_FALSE(screening_->pending());
  EXPECT_FALSE(settled) << "settle must wait for a later loop turn";
  event_base_loop(base_, EVLOOP_NONBLOCK);
  EXPECT_TRUE(settled);

  std::vector<CheckResult> results;
  std::vector<Proposal> proposals;
  screening_->collect(results, proposals);
  EXPECT_EQ(results.size(), 2u);
  ASSERT_EQ(proposals.size(), 1u);
  EXPECT_EQ(proposals[0].result.check, "dnsbl");
  EXPECT_EQ(proposals[0].action, Action::kReject);
  EXPECT_EQ(stats_.find("rdns")->pass, 1u);
  EXPECT_EQ(stats_.find("dnsbl")->fail, 1u);
  EXPECT_EQ(stats_.find("rdns")->latency.count(), 1u);
  EXPECT_EQ(stats_.find("dnsbl")->latency.count(), 1u);
}

TEST_F(ClientScreeningTest, DeadlineMakesACountedTemperrorAndCancels) {
  make();
  screening_->start(oneQuery("rdns", "slow.test", 20ms), context_);
  ASSERT_TRUE(runUntilSettled());
  EXPECT_EQ(fake_.cancelled, 1);
  std::vector<CheckResult> results;
  std::vector<Proposal> proposals;
  screening_->collect(results, proposals);
  ASSERT_EQ(proposals.size(), 1u);
  EXPECT_EQ(proposals[0].result.outcome, Outcome::kTempError);
  EXPECT_EQ(proposals[0].result.enhanced, "4.4.3");
  EXPECT_EQ(proposals[0].action, Action::kTempfail) << "the temperror action, not the action";
  EXPECT_EQ(stats_.find("rdns")->timeout, 1u);
  EXPECT_EQ(stats_.find("rdns")->temperror, 1u);
  // The run is timed up to its deadline: about the 20 ms it waited.
  const LatencyHistogram& took = stats_.find("rdns")->latency;
  EXPECT_EQ(took.count(), 1u);
  EXPECT_GE(took.sumSeconds(), 0.015);
}

TEST_F(ClientScreeningTest, RestartReplacesTheEarlierRun) {
  make();
  screening_->start(oneQuery("helo", "first.test"), context_);
  screening_->start(oneQuery("helo", "second.test"), context_);
  EXPECT_EQ(fake_.cancelled, 1);
  EXPECT_FALSE(fake_.answer("first.test", answer(dns::DnsStatus::kOk)));
  ASSERT_TRUE(fake_.answer("second.test", answer(dns::DnsStatus::kOk)));
  std::vector<CheckResult> results;
  std::vector<Proposal> proposals;
  screening_->collect(results, proposals);
  EXPECT_EQ(results.size(), 1u);
}

TEST_F(ClientScreeningTest, DestroyingCancelsEverything) {
  make();
  screening_->start(oneQuery("rdns", "a.test"), context_);
  screening_->start(oneQuery("dnsbl", "b.test"), context_);
  screening_->whenSettled([] { FAIL() << "must not run after destruction"; });
  screening_.reset();
  EXPECT_EQ(fake_.cancelled, 2);
  EXPECT_EQ(fake_.openCount(), 0u);
  event_base_loop(base_, EVLOOP_NONBLOCK);
}

TEST_F(ClientScreeningTest, NothingStartedSettlesAtOnce) {
  make();
  EXPECT_FALSE(screening_->pending());
  EXPECT_TRUE(runUntilSettled());
}

}  // namespace
}  // namespace ts
