// The sender domain check with a scripted resolver: an MX decides alone (a mail server
// passes, a null MX fails even with an A record), a domain without MX falls back to its
// addresses, and a DNS fault with nothing found is a temperror, never a fail.
#include "checks/sender_domain/sender_domain_check.h"

#include <gtest/gtest.h>

#include <optional>

#include "unit/dns/fake_resolver.h"

namespace ts {
namespace {

using dns::DnsAnswer;
using dns::DnsStatus;
using dns::testing::FakeResolver;

DnsAnswer answer(DnsStatus status, std::vector<std::string> records = {}) {
  DnsAnswer a;
  a.status = status;
  a.records = std::move(records);
  return a;
}

class SenderDomainTest : public ::testing::Test {
 protected:
  std::unique_ptr<CheckRun> start(const std::string& mail_from) {
    ClientContext ctx{*SocketAddress::parse("192.0.2.1:1"), "mail.example", "mx.example", {}};
    ctx.mail_from = mail_from;
    return check_.start(ctx, fake_, [this](CheckResult r) { result_ = std::move(r); });
  }

  SenderDomainCheck check_{SenderDomainConfig{Action::kReject, 3, Action::kTempfail, {}}};
  FakeResolver fake_;
  std::optional<CheckResult> result_;
};

TEST_F(SenderDomainTest, MailServerPassesWithoutWaitingForAddresses) {
  auto run = start("alerts@dispatch.example");
  EXPECT_EQ(fake_.openCount(), 3u);
  ASSERT_TRUE(fake_.answer("dispatch.example", answer(DnsStatus::kOk, {"10 mx.dispatch.example"})));
  ASSERT_TRUE(result_);
  EXPECT_EQ(result_->outcome, Outcome::kPass);
  EXPECT_EQ(fake_.cancelled, 2);
}

TEST_F(SenderDomainTest, NullMxFailsEvenWithAnAddress) {
  auto run = start("noreply@nomail.example");
  ASSERT_TRUE(fake_.answer("nomail.example", answer(DnsStatus::kOk, {"0 ."})));
  ASSERT_TRUE(result_);
  EXPECT_EQ(result_->outcome, Outcome::kFail);
  EXPECT_EQ(result_->enhanced, "5.7.27");
  EXPECT_EQ(result_->score, 3);
  EXPECT_NE(result_->reason.find("null MX"), std::string::npos);
}

TEST_F(SenderDomainTest, ImplicitMxFromAnAddress) {
  auto run = start("a@small.example");
  ASSERT_TRUE(fake_.answer("small.example", answer(DnsStatus::kNoData)));
  EXPECT_FALSE(result_);
  ASSERT_TRUE(fake_.answer("small.example", answer(DnsStatus::kOk, {"192.0.2.7"})));
  EXPECT_FALSE(result_);
  ASSERT_TRUE(fake_.answer("small.example", answer(DnsStatus::kNoData)));
  ASSERT_TRUE(result_);
  EXPECT_EQ(result_->outcome, Outcome::kPass);
}

TEST_F(SenderDomainTest, NonexistentDomainFails) {
  auto run = start("a@gone.example");
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(fake_.answer("gone.example", answer(DnsStatus::kNxDomain)));
  ASSERT_TRUE(result_);
  EXPECT_EQ(result_->outcome, Outcome::kFail);
  EXPECT_EQ(result_->enhanced, "5.1.8");
  EXPECT_NE(result_->reason.find("does not exist"), std::string::npos);
}

TEST_F(SenderDomainTest, NoRecordsFails) {
  auto run = start("a@bare.example");
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(fake_.answer("bare.example", answer(DnsStatus::kNoData)));
  ASSERT_TRUE(result_);
  EXPECT_EQ(result_->outcome, Outcome::kFail);
  EXPECT_EQ(result_->enhanced, "5.1.8");
}

TEST_F(SenderDomainTest, DnsFaultIsTemporary) {
  auto run = start("a@flaky.example");
  ASSERT_TRUE(fake_.answer("flaky.example", answer(DnsStatus::kServFail)));
  ASSERT_TRUE(fake_.answer("flaky.example", answer(DnsStatus::kNoData)));
  ASSERT_TRUE(fake_.answer("flaky.example", answer(DnsStatus::kTimeout)));
  ASSERT_TRUE(result_);
  EXPECT_EQ(result_->outcome, Outcome::kTempError);
  EXPECT_EQ(result_->enhanced[0], '4');
  EXPECT_EQ(result_->score, 0);
}

TEST_F(SenderDomainTest, NullSenderPassesWithoutDns) {
  auto run = start("");
  ASSERT_TRUE(result_);
  EXPECT_EQ(result_->outcome, Outcome::kPass);
  EXPECT_EQ(fake_.queries_sent, 0);
}

TEST_F(SenderDomainTest, DestroyingTheRunCancels) {
  auto run = start("a@slow.example");
  run.reset();
  EXPECT_EQ(fake_.cancelled, 3);
  EXPECT_FALSE(fake_.answer("slow.example", answer(DnsStatus::kOk, {"10 mx.slow.example"})));
  EXPECT_FALSE(result_);
}

}  // namespace
}  // namespace ts
