// The callout cache in LMDB: entries round-trip, expire into misses, list in address
// order, can be erased and cleared, are pruned in bounded batches, and the CalloutCache
// face writes through the store writer and reads back on the loop.
#include "store/callout_cache_store.h"

#include <gtest/gtest.h>

#include <event2/event.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "unit/store/temp_store.h"

namespace ts::store {
namespace {

using namespace std::chrono_literals;

CalloutCacheEntry entry(CalloutFinding finding, std::int64_t checked, std::int64_t expires) {
  CalloutCacheEntry e;
  e.finding = finding;
  e.host = "mx.example.com";
  e.reply = "550 5.1.1 user unknown";
  e.checked = checked;
  e.expires = expires;
  return e;
}

class CalloutCacheStoreTest : public TempStoreTest {
 protected:
  std::optional<CalloutCacheEntry> find(std::string_view address, std::int64_t now) {
    ReadTransaction txn(*store_);
    auto found = CalloutCacheStore::find(txn.get(), dbs(), address, now);
    EXPECT_TRUE(found.ok()) << found.error().message;
    return found.ok() ? *found : std::nullopt;
  }

  std::vector<std::string> listed() {
    ReadTransaction txn(*store_);
    std::vector<std::string> out;
    auto s = CalloutCacheStore::list(txn.get(), dbs(),
                                     [&](const std::string& a, const CalloutCacheEntry&) {
                                       out.push_back(a);
                                       return true;
                                     });
    EXPECT_TRUE(s.ok());
    return out;
  }
};

TEST_F(CalloutCacheStoreTest, PutThenGetRoundTripsEveryField) {
  write([&](MDB_txn* txn) {
    return CalloutCacheStore::put(txn, dbs(), "bob@example.com",
                                  entry(CalloutFinding::kRejected, now_ - 10, now_ + 3600));
  });
  auto got = find("bob@example.com", now_);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->finding, CalloutFinding::kRejected);
  EXPECT_EQ(got->host, "mx.example.com");
  EXPECT_EQ(got->reply, "550 5.1.1 user unknown");
  EXPECT_EQ(got->checked, now_ - 10);
  EXPECT_EQ(got->expires, now_ + 3600);
  EXPECT_FALSE(find("alice@example.com", now_));
}

TEST_F(CalloutCacheStoreTest, TheDomainIsCaseInsensitiveTheLocalPartIsNot) {
  write([&](MDB_txn* txn) {
    return CalloutCacheStore::put(txn, dbs(), "Bob@Example.COM",
                                  entry(CalloutFinding::kVerified, now_, now_ + 60));
  });
  EXPECT_TRUE(find("Bob@example.com", now_));
  EXPECT_FALSE(find("bob@example.com", now_));
  EXPECT_EQ(listed(), std::vector<std::string>{"Bob@example.com"});
}

TEST_F(CalloutCacheStoreTest, ExpiredEntriesAreMisses) {
  write([&](MDB_txn* txn) {
    return CalloutCacheStore::put(txn, dbs(), "bob@example.com",
                                  entry(CalloutFinding::kVerified, now_ - 100, now_));
  });
  EXPECT_TRUE(find("bob@example.com", now_ - 1));
  EXPECT_FALSE(find("bob@example.com", now_));
  EXPECT_EQ(listed().size(), 1u);  // still listed, with its expiry, until pruned
}

TEST_F(CalloutCacheStoreTest, ListEraseAndClear) {
  write([&](MDB_txn* txn) {
    int rc = 0;
    for (const char* a : {"c@example.com", "a@example.com", "b@example.org"}) {
      if (rc == 0) {
        rc = CalloutCacheStore::put(txn, dbs(), a,
                                    entry(CalloutFinding::kAcceptAll, now_, now_ + 60));
      }
    }
    return rc;
  });
  std::vector<std::string> all = {"a@example.com", "b@example.org", "c@example.com"};
  EXPECT_EQ(listed(), all);

  write([&](MDB_txn* txn) { return CalloutCacheStore::erase(txn, dbs(), "b@EXAMPLE.org"); });
  EXPECT_EQ(listed(), (std::vector<std::string>{"a@example.com", "c@example.com"}));
  {
    WriteTransaction txn(*store_);
    EXPECT_EQ(CalloutCacheStore::erase(txn.get(), dbs(), "b@example.org"), MDB_NOTFOUND);
  }
  std::size_t cleared = 0;
  write([&](MDB_txn* txn) {
    auto n = CalloutCacheStore::clear(txn, dbs());
    if (!n) return n.error();
    cleared = *n;
    return 0;
  });
  EXPECT_EQ(cleared, 2u);
  EXPECT_TRUE(listed().empty());
}

TEST_F(CalloutCacheStoreTest, PruneDeletesExpiredAndCorruptEntriesInRotatingBatches) {
  write([&](MDB_txn* txn) {
    int rc = 0;
    for (int i = 0; i < 10 && rc == 0; ++i) {
      std::int64_t expires = i % 2 == 0 ? now_ - 1 : now_ + 60;  // even ones expired
      rc = CalloutCacheStore::put(txn, dbs(), "u" + std::to_string(i) + "@example.com",
                                  entry(CalloutFinding::kVerified, now_ - 100, expires));
    }
    std::string key = "zz@example.com", junk = "{not json";
    MDB_val k = toVal(key), v = toVal(junk);
    if (rc == 0) rc = mdb_put(txn, dbs().callouts, &k, &v, 0);
    return rc;
  });
  std::string resume;
  std::size_t removed = 0;
  write([&](MDB_txn* txn) {
    auto n = CalloutCacheStore::pruneExpired(txn, dbs(), now_, 4, &resume);
    if (!n) return n.error();
    removed += *n;
    return 0;
  });
  EXPECT_EQ(removed, 2u);  // u0 and u2 among u0..u3
  EXPECT_EQ(resume, "u3@example.com");
  for (int batch = 0; batch < 3; ++batch) {
    write([&](MDB_txn* txn) {
      auto n = CalloutCacheStore::pruneExpired(txn, dbs(), now_, 4, &resume);
      if (!n) return n.error();
      removed += *n;
      return 0;
    });
  }
  EXPECT_EQ(removed, 6u);  // five expired and the corrupt one
  EXPECT_EQ(listed().size(), 5u);
}

TEST_F(CalloutCacheStoreTest, CorruptEntryIsAnErrorForLookupAndAMissForTheCheck) {
  write([&](MDB_txn* txn) {
    std::string key = "bob@example.com",
                bad = nlohmann::json{{"finding", "maybe"}, {"checked", 1}, {"expires", 2}}.dump();
    MDB_val k = toVal(key), v = toVal(bad);
    return mdb_put(txn, dbs().callouts, &k, &v, 0);
  });
  ReadTransaction txn(*store_);
  auto found = CalloutCacheStore::find(txn.get(), dbs(), "bob@example.com", now_);
  ASSERT_FALSE(found.ok());
  EXPECT_NE(found.error().message.find("bob@example.com"), std::string::npos);
  EXPECT_NE(found.error().message.find("maybe"), std::string::npos);
}

TEST_F(CalloutCacheStoreTest, CacheInterfaceWritesThroughTheStoreWriter) {
  event_base* base = event_base_new();
  {
    StoreWriter writer(*store_, base);
    CalloutCacheStore cache(*store_, writer);
    auto now = std::chrono::system_clock::time_point(std::chrono::seconds(now_));
    CalloutCacheEntry e = entry(CalloutFinding::kVerified, now_, 0);
    cache.put("bob@example.com", e, 3600s);
    cache.put("nobody@example.com", e, 0s);  // a zero TTL is not stored
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!cache.get("bob@example.com", now) && std::chrono::steady_clock::now() < deadline) {
      timeval tick{0, 20'000};
      event_base_loopexit(base, &tick);
      event_base_dispatch(base);
    }
    auto got = cache.get("bob@example.com", now);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->expires, now_ + 3600);
    EXPECT_FALSE(cache.get("bob@example.com", now + 3600s));
    EXPECT_FALSE(cache.get("nobody@example.com", now));
  }
  event_base_free(base);
}

}  // namespace
}  // namespace ts::store
