// The session's view of the operator's lists: which ban applies, with which action and
// reply text, and that a ban's expiry lifts it.
#include "policy/access_policy.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "store/allowlist_store.h"
#include "store/ban_store.h"

namespace ts {
namespace {

class AccessPolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/textscreen-access-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto opened = store::StoreEnvironment::open(dir_, 16 << 20);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(*opened);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void ban(store::BanKind kind, const std::string& value, store::BanAction action,
           std::int64_t expires = 0) {
    store::BanEntry e;
    e.kind = kind;
    e.value = *store::BanStore::normalise(kind, value);
    e.action = action;
    e.reason = "spam run 42";
    e.expires = expires;
    store::WriteTransaction txn(*store_);
    ASSERT_EQ(store::BanStore::put(txn.get(), store_->dbs(), e), 0);
    ASSERT_EQ(txn.commit(), 0);
  }

  std::string dir_;
  std::unique_ptr<store::StoreEnvironment> store_;
  const std::int64_t now_ = 1'800'000'000;
};

SocketAddress peer(const char* text) {
  return *SocketAddress::parse(text);
}

TEST_F(AccessPolicyTest, NothingBanned) {
  AccessPolicy policy(*store_);
  EXPECT_EQ(policy.senderBan(peer("192.0.2.1:1"), "a@example.org", now_).result.outcome,
            Outcome::kPass);
  EXPECT_EQ(policy.recipientBan("14155551212", now_).result.outcome, Outcome::kPass);
}

TEST_F(AccessPolicyTest, ClientNetworkBanRejects) {
  ban(store::BanKind::kClient, "192.0.2.0/24", store::BanAction::kReject);
  AccessPolicy policy(*store_);
  Proposal p = policy.senderBan(peer("192.0.2.77:1"), "a@example.org", now_);
  EXPECT_EQ(p.result.outcome, Outcome::kFail);
  EXPECT_EQ(p.action, Action::kReject);
  EXPECT_EQ(p.result.enhanced, "5.7.1");
  EXPECT_NE(p.result.reason.find("spam run 42"), std::string::npos);
  EXPECT_EQ(policy.senderBan(peer("192.0.3.1:1"), "a@example.org", now_).result.outcome,
            Outcome::kPass);
}

TEST_F(AccessPolicyTest, DomainBanCoversSubdomainsAndCanQuarantine) {
  ban(store::BanKind::kDomain, "example.org", store::BanAction::kQuarantine);
  AccessPolicy policy(*store_);
  Proposal p = policy.senderBan(peer("192.0.2.1:1"), "x@mail.EXAMPLE.org", now_);
  EXPECT_EQ(p.result.outcome, Outcome::kFail);
  EXPECT_EQ(p.action, Action::kQuarantine);
  EXPECT_EQ(policy.senderBan(peer("192.0.2.1:1"), "x@example.net", now_).result.outcome,
            Outcome::kPass);
  // The null sender has no domain to ban.
  EXPECT_EQ(policy.senderBan(peer("192.0.2.1:1"), "", now_).result.outcome, Outcome::kPass);
}

TEST_F(AccessPolicyTest, ExpiredBansAreIgnored) {
  ban(store::BanKind::kRecipient, "14155551212", store::BanAction::kReject, now_ - 1);
  ban(store::BanKind::kSender, "a@example.org", store::BanAction::kReject, now_ + 60);
  AccessPolicy policy(*store_);
  EXPECT_EQ(policy.recipientBan("14155551212", now_).result.outcome, Outcome::kPass);
  EXPECT_EQ(policy.senderBan(peer("192.0.2.1:1"), "A@Example.org", now_).result.outcome,
            Outcome::kFail);
}

TEST_F(AccessPolicyTest, AllowEntryLookup) {
  store::AllowEntry e;
  e.domain = "dispatch.example";
  e.subdomains = true;
  {
    store::WriteTransaction txn(*store_);
    ASSERT_EQ(store::AllowlistStore::put(txn.get(), store_->dbs(), e), 0);
    ASSERT_EQ(txn.commit(), 0);
  }
  AccessPolicy policy(*store_);
  EXPECT_TRUE(policy.allowEntry("fleet.dispatch.example", now_).has_value());
  EXPECT_FALSE(policy.allowEntry("dispatch.example.net", now_).has_value());
  EXPECT_FALSE(policy.allowEntry("", now_).has_value());
}

}  // namespace
}  // namespace ts
