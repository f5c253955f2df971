// The ban lists: each kind matches the way the session asks (a domain with its
// subdomains, a client by every network that contains it), expiry lifts a ban, and
// normalise refuses a value with a message that says what is wrong with it.
#include "store/ban_store.h"

#include <gtest/gtest.h>

#include <vector>

#include "temp_store.h"

namespace ts::store {
namespace {

class BanStoreTest : public TempStoreTest {
 protected:
  void ban(BanKind kind, std::string_view value, std::int64_t expires = 0,
           BanAction action = BanAction::kReject) {
    auto normal = BanStore::normalise(kind, value);
    ASSERT_TRUE(normal.ok()) << normal.error().message;
    BanEntry e;
    e.kind = kind;
    e.value = *normal;
    e.action = action;
    e.reason = "abuse report 7";
    e.expires = expires;
    e.added_by = "bob";
    e.created = 1'700'000'000;
    write([&](MDB_txn* txn) { return BanStore::put(txn, dbs(), e); });
  }
  std::optional<BanEntry> find(BanKind kind, std::string_view value, std::int64_t now) {
    ReadTransaction txn(*store_);
    auto found = BanStore::find(txn.get(), dbs(), kind, value, now);
    EXPECT_TRUE(found.ok()) << found.error().message;
    return found.ok() ? *found : std::nullopt;
  }
  std::optional<BanEntry> findClient(std::string_view address, std::int64_t now) {
    auto peer = SocketAddress::parse(address);
    EXPECT_TRUE(peer.ok()) << address;
    ReadTransaction txn(*store_);
    auto found = BanStore::findClient(txn.get(), dbs(), *peer, now);
    EXPECT_TRUE(found.ok()) << found.error().message;
    return found.ok() ? *found : std::nullopt;
  }
};

TEST_F(BanStoreTest, RoundTrip) {
  ban(BanKind::kSender, "Spammer@Example.ORG", now_ + 60, BanAction::kQuarantine);
  auto found = find(BanKind::kSender, "spammer@example.org", now_);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->kind, BanKind::kSender);
  EXPECT_EQ(found->value, "spammer@example.org");
  EXPECT_EQ(found->action, BanAction::kQuarantine);
  EXPECT_EQ(found->reason, "abuse report 7");
  EXPECT_EQ(found->expires, now_ + 60);
  EXPECT_EQ(found->added_by, "bob");
  EXPECT_EQ(found->created, 1'700'000'000);
}

TEST_F(BanStoreTest, SenderBanIsTheExactAddress) {
  ban(BanKind::kSender, "x@example.org");
  EXPECT_TRUE(find(BanKind::kSender, "X@EXAMPLE.ORG", now_));
  EXPECT_FALSE(find(BanKind::kSender, "y@example.org", now_));
  EXPECT_FALSE(find(BanKind::kSender, "x@sub.example.org", now_));
}

TEST_F(BanStoreTest, DomainBanCoversSubdomains) {
  ban(BanKind::kDomain, "example.org");
  EXPECT_TRUE(find(BanKind::kDomain, "example.org", now_));
  EXPECT_TRUE(find(BanKind::kDomain, "sub.example.org", now_));
  EXPECT_TRUE(find(BanKind::kDomain, "a.b.EXAMPLE.org", now_));
  EXPECT_FALSE(find(BanKind::kDomain, "badexample.org", now_));
  EXPECT_FALSE(find(BanKind::kDomain, "example.net", now_));
  EXPECT_FALSE(find(BanKind::kDomain, "org", now_));
}

TEST_F(BanStoreTest, ClientBanByIpv4Network) {
  ban(BanKind::kClient, "192.0.2.0/24");
  ban(BanKind::kClient, "198.51.100.7");
  EXPECT_TRUE(findClient("192.0.2.1:25", now_));
  EXPECT_TRUE(findClient("192.0.2.255:25", now_));
  EXPECT_FALSE(findClient("192.0.3.1:25", now_));
  EXPECT_TRUE(findClient("198.51.100.7:25", now_));
  EXPECT_FALSE(findClient("198.51.100.8:25", now_));
  // A dual-stack listener reports IPv4 clients as mapped IPv6 addresses.
  EXPECT_TRUE(findClient("[::ffff:192.0.2.9]:25", now_));
}

TEST_F(BanStoreTest, ClientBanByIpv6Network) {
  ban(BanKind::kClient, "2001:db8:1::/48");
  EXPECT_TRUE(findClient("[2001:db8:1::1]:25", now_));
  EXPECT_TRUE(findClient("[2001:db8:1:ffff::9]:25", now_));
  EXPECT_FALSE(findClient("[2001:db8:2::1]:25", now_));
  EXPECT_FALSE(findClient("192.0.2.1:25", now_));
}

TEST_F(BanStoreTest, WholeInternetBan) {
  ban(BanKind::kClient, "0.0.0.0/0");
  EXPECT_TRUE(findClient("203.0.113.5:25", now_));
  EXPECT_FALSE(findClient("[2001:db8::1]:25", now_));
}

TEST_F(BanStoreTest, RecipientBan) {
  ban(BanKind::kRecipient, "14155551212");
  EXPECT_TRUE(find(BanKind::kRecipient, "14155551212", now_));
  EXPECT_FALSE(find(BanKind::kRecipient, "14155551213", now_));
}

TEST_F(BanStoreTest, ExpiredBansAreIgnored) {
  ban(BanKind::kSender, "x@example.org", now_ - 1);
  ban(BanKind::kDomain, "example.net", now_);
  ban(BanKind::kClient, "192.0.2.0/24", now_ - 100);
  ban(BanKind::kRecipient, "14155551212", now_ + 100);
  EXPECT_FALSE(find(BanKind::kSender, "x@example.org", now_));
  EXPECT_FALSE(find(BanKind::kDomain, "sub.example.net", now_));
  EXPECT_FALSE(findClient("192.0.2.1:25", now_));
  EXPECT_TRUE(find(BanKind::kRecipient, "14155551212", now_));
  EXPECT_FALSE(find(BanKind::kRecipient, "14155551212", now_ + 100));
}

TEST_F(BanStoreTest, KindsAreSeparate) {
  ban(BanKind::kDomain, "example.org");
  EXPECT_FALSE(find(BanKind::kSender, "example.org", now_));
  EXPECT_FALSE(find(BanKind::kRecipient, "example.org", now_));
}

TEST_F(BanStoreTest, RemoveLiftsTheBanAndForEachListsTheRest) {
  ban(BanKind::kSender, "x@example.org");
  ban(BanKind::kClient, "192.0.2.0/24");
  write([&](MDB_txn* txn) {
    return BanStore::remove(txn, dbs(), BanKind::kSender, "x@example.org");
  });
  EXPECT_FALSE(find(BanKind::kSender, "x@example.org", now_));
  ReadTransaction txn(*store_);
  std::vector<std::string> seen;
  auto status = BanStore::forEach(txn.get(), dbs(), [&](const BanEntry& e) {
    seen.push_back(std::string(banKindName(e.kind)) + " " + e.value);
    return true;
  });
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(seen, (std::vector<std::string>{"client 192.0.2.0/24"}));
}

TEST(BanNormalise, CanonicalForms) {
  EXPECT_EQ(*BanStore::normalise(BanKind::kSender, "X@Example.ORG"), "x@example.org");
  EXPECT_EQ(*BanStore::normalise(BanKind::kDomain, "Example.ORG"), "example.org");
  EXPECT_EQ(*BanStore::normalise(BanKind::kClient, "192.0.2.7"), "192.0.2.7/32");
  EXPECT_EQ(*BanStore::normalise(BanKind::kClient, "2001:DB8::/32"), "2001:db8::/32");
  EXPECT_EQ(*BanStore::normalise(BanKind::kRecipient, "14155551212"), "14155551212");
}

// Each error names the value and what it should have been.
void expectError(BanKind kind, std::string_view value, std::string_view words) {
  auto r = BanStore::normalise(kind, value);
  ASSERT_FALSE(r.ok()) << value << " was accepted as " << *r;
  EXPECT_NE(r.error().message.find(words), std::string::npos)
      << "error for '" << value << "' was: " << r.error().message;
}

TEST(BanNormalise, Errors) {
  expectError(BanKind::kSender, "", "empty");
  expectError(BanKind::kSender, "example.org", "not an address");
  expectError(BanKind::kDomain, "x@example.org", "not a domain");
  expectError(BanKind::kDomain, "localhost", "not a domain");
  expectError(BanKind::kClient, "10.0.0.0/33", "prefix length");
  expectError(BanKind::kClient, "10.0.0.1/8", "host bits");
  expectError(BanKind::kClient, "not-an-ip", "bad network address");
  expectError(BanKind::kClient, "2001:db8::/129", "prefix length");
  expectError(BanKind::kRecipient, "1415abc", "not a recipient number");
}

TEST(BanNames, ParseAndPrint) {
  for (BanKind k : {BanKind::kSender, BanKind::kDomain, BanKind::kClient, BanKind::kRecipient}) {
    EXPECT_EQ(*parseBanKind(banKindName(k)), k);
  }
  EXPECT_FALSE(parseBanKind("network").ok());
  EXPECT_EQ(*parseBanAction("quarantine"), BanAction::kQuarantine);
  EXPECT_EQ(*parseBanAction("reject"), BanAction::kReject);
  auto bad = parseBanAction("drop");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("reject or quarantine"), std::string::npos);
}

}  // namespace
}  // namespace ts::store
