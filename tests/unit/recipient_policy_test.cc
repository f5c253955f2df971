// The relay guard: only subscriber numbers at gateway domains, plus postmaster/abuse.
#include "policy/recipient_policy.h"

#include <gtest/gtest.h>

namespace ts {
namespace {

smtp::Mailbox box(std::string local, std::string domain, bool quoted = false) {
  return smtp::Mailbox{std::move(local), std::move(domain), quoted};
}

class RecipientPolicyTest : public ::testing::Test {
 protected:
  SubscriberNumberValidator numbers{"US", 100};
  RecipientPolicy policy{
      {"sms.example.net", "MMS.Example.Net"}, "postmaster@carrier.example", numbers};
};

TEST_F(RecipientPolicyTest, AcceptsNumbersAtGatewayDomains) {
  auto v = policy.evaluate(box("14155551212", "SMS.example.NET"));
  EXPECT_EQ(v.result.outcome, Outcome::kPass);
  EXPECT_EQ(v.forward_path, "14155551212@SMS.example.NET");
  EXPECT_EQ(policy.evaluate(box("14155551212", "mms.example.net")).result.outcome, Outcome::kPass);
}

TEST_F(RecipientPolicyTest, RefusesOtherDomainsAsRelay) {
  for (const auto& d : {"example.com", "sms.example.net.evil", "xsms.example.net", "[127.0.0.1]",
                        "sub.sms.example.net"}) {
    auto v = policy.evaluate(box("14155551212", d));
    EXPECT_EQ(v.result.outcome, Outcome::kFail) << d;
    EXPECT_EQ(v.result.enhanced, "5.7.1") << d;
    EXPECT_NE(v.result.reason.find("Relay access denied"), std::string::npos);
  }
}

TEST_F(RecipientPolicyTest, RefusesNonNumbers) {
  for (const auto& l : {"alice", "1415%evil.example", "1415!evil", "123"}) {
    auto v = policy.evaluate(box(l, "sms.example.net"));
    EXPECT_EQ(v.result.outcome, Outcome::kFail) << l;
    EXPECT_EQ(v.result.enhanced, "5.1.1") << l;
  }
  EXPECT_EQ(policy.evaluate(box("\"14155551212\"", "sms.example.net", true)).result.outcome,
            Outcome::kFail);
}

TEST_F(RecipientPolicyTest, RoleAddressesGoToThePostmaster) {
  for (const auto& l : {"postmaster", "PostMaster", "abuse"}) {
    auto v = policy.evaluate(box(l, "sms.example.net"));
    EXPECT_EQ(v.result.outcome, Outcome::kPass) << l;
    EXPECT_EQ(v.forward_path, "postmaster@carrier.example");
  }
  EXPECT_EQ(policy.evaluate(box("Postmaster", "")).forward_path, "postmaster@carrier.example");
  EXPECT_EQ(policy.evaluate(box("postmaster", "example.com")).result.outcome, Outcome::kFail);
  EXPECT_EQ(policy.evaluate(box("alice", "")).result.outcome, Outcome::kFail);
}

}  // namespace
}  // namespace ts
