// The quarantine store: a held message and its envelope come back byte for byte (the
// release sends exactly these bytes), and a release is recorded on the same record.
#include "store/quarantine_store.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "temp_store.h"

namespace ts::store {
namespace {

QuarantineRecord held(std::string ref, std::int64_t time) {
  QuarantineRecord q;
  q.ref = std::move(ref);
  q.time = time;
  q.client = "2001:db8::25";
  q.helo = "mail.example.org";
  q.mail_from = "alerts@example.org";
  q.recipients = {"14155551212@sms.example.net", "12015550123@sms.example.net"};
  q.reason = "Mail from <alerts@example.org> is blocked";
  // CRLF lines, a dot line, 8-bit bytes and a NUL: stored exactly as received.
  q.message = "Subject: hi\r\n\r\n.leading dot\r\ncaf\xc3\xa9\r\n";
  q.message += std::string(1, '\0') + "\r\n";
  return q;
}

class QuarantineStoreTest : public TempStoreTest {
 protected:
  void put(const QuarantineRecord& q) {
    write([&](MDB_txn* txn) { return QuarantineStore::put(txn, dbs(), q); });
  }
  std::optional<QuarantineRecord> get(std::string_view ref) {
    ReadTransaction txn(*store_);
    auto got = QuarantineStore::get(txn.get(), dbs(), ref);
    EXPECT_TRUE(got.ok()) << got.error().message;
    return got.ok() ? *got : std::nullopt;
  }
};

TEST_F(QuarantineStoreTest, RoundTrip) {
  QuarantineRecord q = held("ts-aaaaaaaaaaaaa", now_);
  put(q);
  auto got = get("ts-aaaaaaaaaaaaa");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->ref, q.ref);
  EXPECT_EQ(got->time, q.time);
  EXPECT_EQ(got->client, q.client);
  EXPECT_EQ(got->helo, q.helo);
  EXPECT_EQ(got->mail_from, q.mail_from);
  EXPECT_EQ(got->recipients, q.recipients);
  EXPECT_EQ(got->reason, q.reason);
  EXPECT_EQ(got->message, q.message);
  EXPECT_EQ(got->released_by, "");
  EXPECT_EQ(got->released_at, 0);
  EXPECT_FALSE(get("ts-bbbbbbbbbbbbb"));
}

TEST_F(QuarantineStoreTest, ReleaseIsRecordedOnTheRecord) {
  QuarantineRecord q = held("ts-aaaaaaaaaaaaa", now_);
  put(q);
  q.released_by = "carol";
  q.released_at = now_ + 60;
  put(q);
  auto got = get("ts-aaaaaaaaaaaaa");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->released_by, "carol");
  EXPECT_EQ(got->released_at, now_ + 60);
  ReadTransaction txn(*store_);
  EXPECT_EQ(QuarantineStore::count(txn.get(), dbs()), 1u);
}

TEST_F(QuarantineStoreTest, RemoveCountAndForEach) {
  put(held("ts-ccccccccccccc", now_));
  put(held("ts-aaaaaaaaaaaaa", now_));
  put(held("ts-bbbbbbbbbbbbb", now_));
  write([&](MDB_txn* txn) { return QuarantineStore::remove(txn, dbs(), "ts-bbbbbbbbbbbbb"); });
  ReadTransaction txn(*store_);
  EXPECT_EQ(QuarantineStore::count(txn.get(), dbs()), 2u);
  std::vector<std::string> refs;
  auto status = QuarantineStore::forEach(txn.get(), dbs(), [&](const QuarantineRecord& q) {
    refs.push_back(q.ref);
    return true;
  });
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(refs, (std::vector<std::string>{"ts-aaaaaaaaaaaaa", "ts-ccccccccccccc"}));
}

TEST_F(QuarantineStoreTest, RemovingAMissingRecordSaysSo) {
  WriteTransaction txn(*store_);
  EXPECT_EQ(QuarantineStore::remove(txn.get(), dbs(), "ts-zzzzzzzzzzzzz"), MDB_NOTFOUND);
}

}  // namespace
}  // namespace ts::store
