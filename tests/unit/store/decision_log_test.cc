// The decision log: a record comes back whole by its reference id; the domain and
// recipient indexes list newest first within a window and a limit; pruning by age and
// by count removes records together with every index entry that points at them.
#include "store/decision_log.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "temp_store.h"

namespace ts::store {
namespace {

DecisionRecord decision(std::string ref, std::int64_t time, std::string from = "a@example.org",
                        std::vector<std::string> to = {"14155551212@sms.example.net"}) {
  DecisionRecord r;
  r.ref = std::move(ref);
  r.time = time;
  r.client = "192.0.2.1";
  r.helo = "mail.example.org";
  r.mail_from = std::move(from);
  r.recipients = std::move(to);
  r.checks = {{"recipient", "pass", "", 0}, {"ban", "fail", "spam run", 2.5}};
  r.action = "reject";
  r.reason = "spam run";
  r.gateway_reply = "";
  return r;
}

class DecisionLogTest : public TempStoreTest {
 protected:
  void put(const DecisionRecord& r) {
    write([&](MDB_txn* txn) { return DecisionLog::put(txn, dbs(), r); });
  }
  std::vector<std::string> byDomain(std::string_view domain, std::int64_t since = 0,
                                    std::size_t limit = 100) {
    ReadTransaction txn(*store_);
    std::vector<std::string> refs;
    auto status = DecisionLog::byDomain(txn.get(), dbs(), domain, since, limit,
                                        [&](const DecisionRecord& r) { refs.push_back(r.ref); });
    EXPECT_TRUE(status.ok()) << status.error().message;
    return refs;
  }
  std::vector<std::string> byRecipient(std::string_view to, std::int64_t since = 0,
                                       std::size_t limit = 100) {
    ReadTransaction txn(*store_);
    std::vector<std::string> refs;
    auto status = DecisionLog::byRecipient(txn.get(), dbs(), to, since, limit,
                                           [&](const DecisionRecord& r) { refs.push_back(r.ref); });
    EXPECT_TRUE(status.ok()) << status.error().message;
    return refs;
  }
  std::vector<std::string> since(std::int64_t from) {
    ReadTransaction txn(*store_);
    std::vector<std::string> refs;
    auto status = DecisionLog::since(txn.get(), dbs(), from,
                                     [&](const DecisionRecord& r) { refs.push_back(r.ref); });
    EXPECT_TRUE(status.ok()) << status.error().message;
    return refs;
  }
  // Reads at most scan records; keeps those whose ref does not end in skip, up to keep.
  std::vector<std::string> scanNewest(std::string_view domain, std::size_t scan, char skip,
                                      std::size_t keep) {
    ReadTransaction txn(*store_);
    std::vector<std::string> refs;
    auto status =
        DecisionLog::scanNewest(txn.get(), dbs(), domain, scan, [&](const DecisionRecord& r) {
          if (r.ref.back() != skip) refs.push_back(r.ref);
          return refs.size() < keep;
        });
    EXPECT_TRUE(status.ok()) << status.error().message;
    return refs;
  }
  std::size_t entries(MDB_dbi dbi) {
    ReadTransaction txn(*store_);
    MDB_stat st{};
    EXPECT_EQ(mdb_stat(txn.get(), dbi, &st), 0);
    return st.ms_entries;
  }
  std::size_t prune(std::int64_t oldest_kept, std::size_t max_records) {
    WriteTransaction txn(*store_);
    auto removed = DecisionLog::prune(txn.get(), dbs(), oldest_kept, max_records);
    EXPECT_TRUE(removed.ok()) << (removed.ok() ? "" : storeError(removed.error()));
    EXPECT_EQ(txn.commit(), 0);
    return removed.ok() ? *removed : 0;
  }
};

TEST_F(DecisionLogTest, RoundTrip) {
  DecisionRecord r = decision("ts-aaaaaaaaaaaaa", now_);
  r.gateway_reply = "250 2.0.0 queued";
  put(r);
  ReadTransaction txn(*store_);
  auto got = DecisionLog::get(txn.get(), dbs(), "ts-aaaaaaaaaaaaa");
  ASSERT_TRUE(got.ok()) << got.error().message;
  ASSERT_TRUE(*got);
  const DecisionRecord& g = **got;
  EXPECT_EQ(g.ref, r.ref);
  EXPECT_EQ(g.time, r.time);
  EXPECT_EQ(g.client, r.client);
  EXPECT_EQ(g.helo, r.helo);
  EXPECT_EQ(g.mail_from, r.mail_from);
  EXPECT_EQ(g.recipients, r.recipients);
  ASSERT_EQ(g.checks.size(), 2u);
  EXPECT_EQ(g.checks[1].check, "ban");
  EXPECT_EQ(g.checks[1].outcome, "fail");
  EXPECT_EQ(g.checks[1].detail, "spam run");
  EXPECT_DOUBLE_EQ(g.checks[1].score, 2.5);
  EXPECT_EQ(g.action, "reject");
  EXPECT_EQ(g.reason, "spam run");
  EXPECT_EQ(g.gateway_reply, "250 2.0.0 queued");
  auto missing = DecisionLog::get(txn.get(), dbs(), "ts-zzzzzzzzzzzzz");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(*missing);
}

TEST_F(DecisionLogTest, ByDomainNewestFirstWithWindowAndLimit) {
  put(decision("ts-0000000000001", now_ - 300, "a@example.org"));
  put(decision("ts-0000000000002", now_ - 200, "b@EXAMPLE.org"));
  put(decision("ts-0000000000003", now_ - 100, "c@example.org"));
  put(decision("ts-0000000000004", now_ - 150, "d@example.net"));
  // A domain that sorts right after example.org must not leak into its listing.
  put(decision("ts-0000000000005", now_ - 50, "e@example.org2"));
  put(decision("ts-0000000000006", now_ - 50, "f@sub.example.org"));
  EXPECT_EQ(byDomain("example.org"),
            (std::vector<std::string>{"ts-0000000000003", "ts-0000000000002", "ts-0000000000001"}));
  EXPECT_EQ(byDomain("Example.ORG", now_ - 200),
            (std::vector<std::string>{"ts-0000000000003", "ts-0000000000002"}));
  EXPECT_EQ(byDomain("example.org", 0, 1), (std::vector<std::string>{"ts-0000000000003"}));
  EXPECT_EQ(byDomain("example.net"), (std::vector<std::string>{"ts-0000000000004"}));
  EXPECT_TRUE(byDomain("example.com").empty());
  EXPECT_TRUE(byDomain("example.org", now_).empty());
}

TEST_F(DecisionLogTest, ScanNewestIsBoundedAndStopsWhenTold) {
  put(decision("ts-0000000000001", now_ - 300, "a@example.org"));
  put(decision("ts-0000000000002", now_ - 200, "b@example.net"));
  put(decision("ts-0000000000003", now_ - 100, "c@example.org"));
  put(decision("ts-0000000000004", now_ - 50, "d@example.org"));
  using V = std::vector<std::string>;
  EXPECT_EQ(scanNewest("", 100, 'x', 100),
            (V{"ts-0000000000004", "ts-0000000000003", "ts-0000000000002", "ts-0000000000001"}));
  // Two records read, one of them skipped by the caller: the scan ends anyway.
  EXPECT_EQ(scanNewest("", 2, '4', 100), (V{"ts-0000000000003"}));
  EXPECT_EQ(scanNewest("", 100, 'x', 1), (V{"ts-0000000000004"}));
  EXPECT_EQ(scanNewest("Example.org", 100, '3', 100), (V{"ts-0000000000004", "ts-0000000000001"}));
  EXPECT_TRUE(scanNewest("example.com", 100, 'x', 100).empty());
}

TEST_F(DecisionLogTest, NullSenderIsIndexedUnderTheEmptyDomain) {
  put(decision("ts-0000000000001", now_, ""));
  EXPECT_EQ(byDomain(""), (std::vector<std::string>{"ts-0000000000001"}));
  EXPECT_EQ(domainOf(""), "");
  EXPECT_EQ(domainOf("x@Sub.Example.ORG"), "sub.example.org");
}

TEST_F(DecisionLogTest, ByRecipient) {
  const std::string a = "14155551212@sms.example.net", b = "12015550123@sms.example.net";
  put(decision("ts-0000000000001", now_ - 30, "x@example.org", {a}));
  put(decision("ts-0000000000002", now_ - 20, "x@example.org", {a, b}));
  put(decision("ts-0000000000003", now_ - 10, "x@example.org", {b}));
  EXPECT_EQ(byRecipient(a), (std::vector<std::string>{"ts-0000000000002", "ts-0000000000001"}));
  EXPECT_EQ(byRecipient(b), (std::vector<std::string>{"ts-0000000000003", "ts-0000000000002"}));
  EXPECT_EQ(byRecipient(b, now_ - 15), (std::vector<std::string>{"ts-0000000000003"}));
  EXPECT_TRUE(byRecipient("14155551212").empty()) << "the index holds whole addresses";
}

TEST_F(DecisionLogTest, SinceIsOldestFirst) {
  put(decision("ts-0000000000002", now_ - 20));
  put(decision("ts-0000000000001", now_ - 30));
  put(decision("ts-0000000000003", now_ - 10));
  EXPECT_EQ(since(0),
            (std::vector<std::string>{"ts-0000000000001", "ts-0000000000002", "ts-0000000000003"}));
  EXPECT_EQ(since(now_ - 20), (std::vector<std::string>{"ts-0000000000002", "ts-0000000000003"}));
  EXPECT_TRUE(since(now_).empty());
}

TEST_F(DecisionLogTest, PruneByAgeRemovesRecordsAndIndexEntries) {
  put(decision("ts-0000000000001", now_ - 300, "a@example.org",
               {"14155551212@sms.example.net", "12015550123@sms.example.net"}));
  put(decision("ts-0000000000002", now_ - 200, "b@example.org"));
  put(decision("ts-0000000000003", now_ - 100, "c@example.net"));
  EXPECT_EQ(prune(now_ - 150, 1000), 2u);
  {
    ReadTransaction txn(*store_);
    EXPECT_EQ(DecisionLog::count(txn.get(), dbs()), 1u);
    EXPECT_FALSE(*DecisionLog::get(txn.get(), dbs(), "ts-0000000000001"));
  }
  EXPECT_TRUE(byDomain("example.org").empty());
  EXPECT_TRUE(byRecipient("12015550123@sms.example.net").empty());
  EXPECT_EQ(byRecipient("14155551212@sms.example.net"),
            (std::vector<std::string>{"ts-0000000000003"}));
  // Nothing dangles: one key per index for the one record left.
  EXPECT_EQ(entries(dbs().decisions), 1u);
  EXPECT_EQ(entries(dbs().decisions_by_time), 1u);
  EXPECT_EQ(entries(dbs().decisions_by_domain), 1u);
  EXPECT_EQ(entries(dbs().decisions_by_rcpt), 1u);
  EXPECT_EQ(prune(now_ - 150, 1000), 0u);
}

TEST_F(DecisionLogTest, PruneByCountKeepsTheNewest) {
  for (int i = 1; i <= 5; ++i) {
    put(decision("ts-000000000000" + std::to_string(i), now_ - 100 + i));
  }
  EXPECT_EQ(prune(0, 2), 3u);
  EXPECT_EQ(since(0), (std::vector<std::string>{"ts-0000000000004", "ts-0000000000005"}));
  EXPECT_EQ(entries(dbs().decisions_by_time), 2u);
  EXPECT_EQ(entries(dbs().decisions_by_domain), 2u);
  EXPECT_EQ(entries(dbs().decisions_by_rcpt), 2u);
  EXPECT_EQ(prune(0, 0), 2u);
  EXPECT_EQ(entries(dbs().decisions), 0u);
  EXPECT_EQ(entries(dbs().decisions_by_time), 0u);
  EXPECT_EQ(entries(dbs().decisions_by_domain), 0u);
  EXPECT_EQ(entries(dbs().decisions_by_rcpt), 0u);
}

TEST_F(DecisionLogTest, PruneOnEmptyLog) {
  EXPECT_EQ(prune(now_, 0), 0u);
}

}  // namespace
}  // namespace ts::store
