// The allowlist store: an entry comes back as it went in, a lookup matches the domain
// itself and (only when the entry says so) its subdomains, expired entries are ignored,
// and a scope limits an entry to some recipient numbers.
#include "store/allowlist_store.h"

#include <gtest/gtest.h>

#include <vector>

#include "temp_store.h"

namespace ts::store {
namespace {

AllowEntry entry(std::string domain, bool subdomains = false, std::int64_t expires = 0) {
  AllowEntry e;
  e.domain = std::move(domain);
  e.subdomains = subdomains;
  e.expires = expires;
  e.added_by = "alice";
  e.note = "dispatch alerts, ticket 123";
  e.created = 1'700'000'000;
  return e;
}

class AllowlistStoreTest : public TempStoreTest {
 protected:
  void put(const AllowEntry& e) {
    write([&](MDB_txn* txn) { return AllowlistStore::put(txn, dbs(), e); });
  }
  std::optional<AllowEntry> find(std::string_view domain, std::int64_t now) {
    ReadTransaction txn(*store_);
    EXPECT_TRUE(txn.ok());
    auto found = AllowlistStore::find(txn.get(), dbs(), domain, now);
    EXPECT_TRUE(found.ok()) << found.error().message;
    return found.ok() ? *found : std::nullopt;
  }
};

TEST_F(AllowlistStoreTest, RoundTrip) {
  AllowEntry e = entry("dispatch.example", true, now_ + 3600);
  e.scope = {"1415555*", "12015550123"};
  put(e);
  auto found = find("dispatch.example", now_);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->domain, "dispatch.example");
  EXPECT_TRUE(found->subdomains);
  EXPECT_EQ(found->scope, (std::vector<std::string>{"1415555*", "12015550123"}));
  EXPECT_EQ(found->expires, now_ + 3600);
  EXPECT_EQ(found->added_by, "alice");
  EXPECT_EQ(found->note, "dispatch alerts, ticket 123");
  EXPECT_EQ(found->created, 1'700'000'000);
}

TEST_F(AllowlistStoreTest, LookupIgnoresCase) {
  put(entry("Dispatch.Example"));
  EXPECT_TRUE(find("dispatch.example", now_));
  EXPECT_TRUE(find("DISPATCH.EXAMPLE", now_));
}

TEST_F(AllowlistStoreTest, ExactEntryDoesNotCoverSubdomains) {
  put(entry("dispatch.example", false));
  EXPECT_TRUE(find("dispatch.example", now_));
  EXPECT_FALSE(find("mail.dispatch.example", now_));
  EXPECT_FALSE(find("example", now_));
  EXPECT_FALSE(find("otherdispatch.example", now_));
}

TEST_F(AllowlistStoreTest, SubdomainEntryCoversEveryLevelBelow) {
  put(entry("dispatch.example", true));
  auto one = find("mail.dispatch.example", now_);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->domain, "dispatch.example");
  EXPECT_TRUE(find("a.b.dispatch.example", now_));
  EXPECT_TRUE(find("dispatch.example", now_));
  // A name that merely ends in the same letters is another domain.
  EXPECT_FALSE(find("xdispatch.example", now_));
}

TEST_F(AllowlistStoreTest, ClosestEntryWins) {
  put(entry("dispatch.example", true));
  AllowEntry inner = entry("mail.dispatch.example");
  inner.note = "inner";
  put(inner);
  auto found = find("mail.dispatch.example", now_);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->note, "inner");
}

TEST_F(AllowlistStoreTest, ExpiredEntriesAreIgnored) {
  put(entry("old.example", true, now_ - 1));
  put(entry("edge.example", false, now_));
  put(entry("later.example", false, now_ + 1));
  EXPECT_FALSE(find("old.example", now_));
  EXPECT_FALSE(find("sub.old.example", now_));
  EXPECT_FALSE(find("edge.example", now_)) << "an entry expires at its expiry time";
  EXPECT_TRUE(find("later.example", now_));
}

TEST_F(AllowlistStoreTest, ExpiredExactEntryFallsBackToParent) {
  put(entry("dispatch.example", true));
  put(entry("mail.dispatch.example", false, now_ - 10));
  auto found = find("mail.dispatch.example", now_);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->domain, "dispatch.example");
}

TEST_F(AllowlistStoreTest, RemoveAndForEach) {
  put(entry("b.example"));
  put(entry("a.example"));
  put(entry("c.example"));
  write([&](MDB_txn* txn) { return AllowlistStore::remove(txn, dbs(), "B.example"); });
  ReadTransaction txn(*store_);
  std::vector<std::string> seen;
  auto status = AllowlistStore::forEach(txn.get(), dbs(), [&](const AllowEntry& e) {
    seen.push_back(e.domain);
    return true;
  });
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(seen, (std::vector<std::string>{"a.example", "c.example"}));
  // Removing what is not there says so.
  WriteTransaction w(*store_);
  EXPECT_EQ(AllowlistStore::remove(w.get(), dbs(), "nothere.example"), MDB_NOTFOUND);
}

TEST_F(AllowlistStoreTest, ForEachStopsWhenAsked) {
  put(entry("a.example"));
  put(entry("b.example"));
  ReadTransaction txn(*store_);
  int visits = 0;
  auto status = AllowlistStore::forEach(txn.get(), dbs(), [&](const AllowEntry&) {
    ++visits;
    return false;
  });
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(visits, 1);
}

TEST(AllowEntryScope, EmptyScopeCoversEveryone) {
  AllowEntry e;
  EXPECT_TRUE(e.inScope("14155551212"));
}

TEST(AllowEntryScope, ExactNumbers) {
  AllowEntry e;
  e.scope = {"14155551212", "12015550123"};
  EXPECT_TRUE(e.inScope("14155551212"));
  EXPECT_TRUE(e.inScope("12015550123"));
  EXPECT_FALSE(e.inScope("14155551213"));
  EXPECT_FALSE(e.inScope("1415555121")) << "a prefix of a listed number is not it";
  EXPECT_FALSE(e.inScope("141555512120")) << "nor is a longer number";
}

TEST(AllowEntryScope, PrefixesEndInAStar) {
  AllowEntry e;
  e.scope = {"1415555*"};
  EXPECT_TRUE(e.inScope("14155551212"));
  EXPECT_TRUE(e.inScope("14155550000"));
  EXPECT_TRUE(e.inScope("1415555"));
  EXPECT_FALSE(e.inScope("14155561212"));
  EXPECT_FALSE(e.inScope("141555"));
}

TEST(AllowEntryScope, MixedScopeAndLoneStar) {
  AllowEntry e;
  e.scope = {"12015550123", "1650*"};
  EXPECT_TRUE(e.inScope("12015550123"));
  EXPECT_TRUE(e.inScope("16502530000"));
  EXPECT_FALSE(e.inScope("14155551212"));
  e.scope = {"*"};
  EXPECT_TRUE(e.inScope("14155551212"));
}

}  // namespace
}  // namespace ts::store
