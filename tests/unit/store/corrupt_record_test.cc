// Corrupt values written past the store API (a bad import, a hand-edited dump, a bug
// in another version) are refused with an error that names the record and what is wrong,
// never read as half a record.
#include <gtest/gtest.h>

#include <string>

#include "store/allowlist_store.h"
#include "store/ban_store.h"
#include "store/decision_log.h"
#include "store/quarantine_store.h"
#include "temp_store.h"

namespace ts::store {
namespace {

class CorruptRecordTest : public TempStoreTest {
 protected:
  void putRaw(MDB_dbi dbi, std::string_view key, std::string_view value) {
    write([&](MDB_txn* txn) {
      MDB_val k = toVal(key), v = toVal(value);
      return mdb_put(txn, dbi, &k, &v, 0);
    });
  }
};

void expectErrorMentions(const std::string& error, std::initializer_list<std::string_view> words) {
  for (std::string_view w : words) {
    EXPECT_NE(error.find(w), std::string::npos) << "'" << w << "' missing from: " << error;
  }
}

TEST_F(CorruptRecordTest, AllowlistEntryThatIsNotJson) {
  putRaw(dbs().allowlist, "dispatch.example", "{\"domain\": \"dispatch.exa");
  ReadTransaction txn(*store_);
  auto found = AllowlistStore::find(txn.get(), dbs(), "dispatch.example", now_);
  ASSERT_FALSE(found.ok());
  expectErrorMentions(found.error().message,
                      {"allowlist entry", "dispatch.example", "not valid JSON"});
  auto all = AllowlistStore::forEach(txn.get(), dbs(), [](const AllowEntry&) { return true; });
  ASSERT_FALSE(all.ok());
  expectErrorMentions(all.error().message, {"allowlist entry", "dispatch.example"});
}

TEST_F(CorruptRecordTest, AllowlistEntryWithWrongTypes) {
  putRaw(dbs().allowlist, "a.example", R"({"domain": "a.example", "subdomains": "yes"})");
  putRaw(dbs().allowlist, "b.example", R"({"domain": "b.example", "scope": "1415*"})");
  putRaw(dbs().allowlist, "c.example", R"({"subdomains": true})");
  putRaw(dbs().allowlist, "d.example", R"(["d.example"])");
  ReadTransaction txn(*store_);
  auto a = AllowlistStore::find(txn.get(), dbs(), "a.example", now_);
  ASSERT_FALSE(a.ok());
  expectErrorMentions(a.error().message, {"allowlist entry a.example", "subdomains", "wrong type"});
  auto b = AllowlistStore::find(txn.get(), dbs(), "b.example", now_);
  ASSERT_FALSE(b.ok());
  expectErrorMentions(b.error().message, {"allowlist entry b.example", "scope", "wrong type"});
  auto c = AllowlistStore::find(txn.get(), dbs(), "c.example", now_);
  ASSERT_FALSE(c.ok());
  expectErrorMentions(c.error().message, {"allowlist entry c.example", "missing field 'domain'"});
  auto d = AllowlistStore::find(txn.get(), dbs(), "d.example", now_);
  ASSERT_FALSE(d.ok());
  expectErrorMentions(d.error().message, {"allowlist entry d.example", "not an object"});
}

TEST_F(CorruptRecordTest, BanWithWrongTypesOrUnknownKind) {
  putRaw(dbs().bans, "sender:x@example.org", R"({"kind": "sender", "value": 17})");
  putRaw(dbs().bans, "domain:example.org", R"({"kind": "network", "value": "example.org"})");
  putRaw(dbs().bans, "recipient:14155551212", "\x01\x02 binary junk");
  ReadTransaction txn(*store_);
  auto sender = BanStore::find(txn.get(), dbs(), BanKind::kSender, "x@example.org", now_);
  ASSERT_FALSE(sender.ok());
  expectErrorMentions(sender.error().message, {"ban sender:x@example.org", "value", "wrong type"});
  auto domain = BanStore::find(txn.get(), dbs(), BanKind::kDomain, "sub.example.org", now_);
  ASSERT_FALSE(domain.ok());
  expectErrorMentions(domain.error().message,
                      {"ban domain:example.org", "unknown ban kind 'network'"});
  auto rcpt = BanStore::find(txn.get(), dbs(), BanKind::kRecipient, "14155551212", now_);
  ASSERT_FALSE(rcpt.ok());
  expectErrorMentions(rcpt.error().message, {"ban", "recipient:14155551212", "not valid JSON"});
}

TEST_F(CorruptRecordTest, DecisionRecords) {
  putRaw(dbs().decisions, "ts-aaaaaaaaaaaaa", "not json at all");
  putRaw(dbs().decisions, "ts-bbbbbbbbbbbbb", R"({"ref": "ts-bbbbbbbbbbbbb", "time": "noon"})");
  putRaw(dbs().decisions, "ts-ccccccccccccc",
         R"({"ref": "ts-ccccccccccccc", "time": 1, "checks": [{"outcome": "fail"}]})");
  ReadTransaction txn(*store_);
  auto a = DecisionLog::get(txn.get(), dbs(), "ts-aaaaaaaaaaaaa");
  ASSERT_FALSE(a.ok());
  expectErrorMentions(a.error().message, {"decision", "ts-aaaaaaaaaaaaa", "not valid JSON"});
  auto b = DecisionLog::get(txn.get(), dbs(), "ts-bbbbbbbbbbbbb");
  ASSERT_FALSE(b.ok());
  expectErrorMentions(b.error().message, {"decision ts-bbbbbbbbbbbbb", "time", "wrong type"});
  auto c = DecisionLog::get(txn.get(), dbs(), "ts-ccccccccccccc");
  ASSERT_FALSE(c.ok());
  expectErrorMentions(c.error().message,
                      {"decision ts-ccccccccccccc", "check", "missing field 'check'"});
}

TEST_F(CorruptRecordTest, CorruptDecisionIsReportedByTheIndexScans) {
  DecisionRecord good;
  good.ref = "ts-aaaaaaaaaaaaa";
  good.time = now_;
  good.mail_from = "a@example.org";
  write([&](MDB_txn* txn) { return DecisionLog::put(txn, dbs(), good); });
  putRaw(dbs().decisions, "ts-aaaaaaaaaaaaa", "{");
  ReadTransaction txn(*store_);
  auto status =
      DecisionLog::byDomain(txn.get(), dbs(), "example.org", 0, 10, [](const DecisionRecord&) {});
  ASSERT_FALSE(status.ok());
  expectErrorMentions(status.error().message, {"decision", "ts-aaaaaaaaaaaaa"});
}

TEST_F(CorruptRecordTest, QuarantineRecords) {
  putRaw(dbs().quarantine, "ts-aaaaaaaaaaaaa", "[1, 2");
  putRaw(dbs().quarantine, "ts-bbbbbbbbbbbbb", R"({"ref": "ts-bbbbbbbbbbbbb", "time": 1})");
  putRaw(dbs().quarantine, "ts-ccccccccccccc",
         R"({"ref": "ts-ccccccccccccc", "time": 1, "message": "x", "recipients": "1415"})");
  ReadTransaction txn(*store_);
  auto a = QuarantineStore::get(txn.get(), dbs(), "ts-aaaaaaaaaaaaa");
  ASSERT_FALSE(a.ok());
  expectErrorMentions(a.error().message,
                      {"quarantine record", "ts-aaaaaaaaaaaaa", "not valid JSON"});
  auto b = QuarantineStore::get(txn.get(), dbs(), "ts-bbbbbbbbbbbbb");
  ASSERT_FALSE(b.ok());
  expectErrorMentions(b.error().message,
                      {"quarantine record ts-bbbbbbbbbbbbb", "missing field 'message'"});
  auto c = QuarantineStore::get(txn.get(), dbs(), "ts-ccccccccccccc");
  ASSERT_FALSE(c.ok());
  expectErrorMentions(c.error().message,
                      {"quarantine record ts-ccccccccccccc", "recipients", "wrong type"});
}

}  // namespace
}  // namespace ts::store
