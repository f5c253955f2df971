// The release rules shared by textscreenctl and the staff dashboard: never twice (even
// forced), not while another release runs or when stale unless forced, and the marks a
// release leaves: "WHO (releasing)" first, then "WHO" with a time, or cleared again.
#include "store/quarantine_release_rules.h"

#include <gtest/gtest.h>

#include <string>

#include "store/quarantine_store.h"
#include "temp_store.h"

namespace ts::store {
namespace {

using std::chrono::hours;

constexpr std::int64_t kHeldAt = 1'798'741'800;  // 2026-12-31T18:30:00Z

QuarantineRecord held() {
  QuarantineRecord q;
  q.ref = "ts-5xk2q7m9d3hfa";
  q.time = kHeldAt;
  q.mail_from = "alerts@example.org";
  q.recipients = {"14155551212@sms.example.net"};
  q.message = "Subject: hi\r\n\r\nbody\r\n";
  return q;
}

ReleaseAsk ask(std::int64_t age, bool force = false) {
  return ReleaseAsk{kHeldAt + age, hours(1), force, "--force"};
}

TEST(QuarantineReleaseRules, AFreshHeldMessageMayBeReleased) {
  EXPECT_EQ(releaseRefusal(held(), ask(60)), "");
  EXPECT_EQ(releaseRefusal(held(), ask(3600)), "") << "exactly the limit is not older than it";
}

TEST(QuarantineReleaseRules, ReleasedIsNeverSentTwiceEvenForced) {
  QuarantineRecord q = held();
  q.released_by = "alice";
  q.released_at = kHeldAt + 10;
  for (bool force : {false, true}) {
    std::string why = releaseRefusal(q, ask(60, force));
    EXPECT_NE(why.find("already released by alice at 2026-12-31T18:30:10Z"), std::string::npos)
        << why;
    EXPECT_NE(why.find("not sent twice"), std::string::npos) << why;
  }
}

TEST(QuarantineReleaseRules, AReleaseInProgressNeedsForce) {
  QuarantineRecord q = held();
  q.released_by = releasingMark("alice");
  EXPECT_EQ(q.released_by, "alice (releasing)");
  EXPECT_TRUE(releaseInProgress(q));
  std::string why = releaseRefusal(q, ReleaseAsk{kHeldAt, hours(1), false, "the force box"});
  EXPECT_NE(why.find("is being released by alice "), std::string::npos) << why;
  EXPECT_NE(why.find("release again with the force box"), std::string::npos) << why;
  EXPECT_EQ(releaseRefusal(q, ask(0, true)), "");
}

TEST(QuarantineReleaseRules, StaleNeedsForce) {
  std::string why = releaseRefusal(held(), ask(7200));
  EXPECT_NE(why.find("held 2h ago"), std::string::npos) << why;
  EXPECT_NE(why.find("quarantine_release_max_age (1h)"), std::string::npos) << why;
  EXPECT_NE(why.find("with --force"), std::string::npos) << why;
  EXPECT_EQ(releaseRefusal(held(), ask(7200, true)), "");
}

TEST(QuarantineReleaseRules, NoRecipientsIsRefusedEvenForced) {
  QuarantineRecord q = held();
  q.recipients.clear();
  EXPECT_NE(releaseRefusal(q, ask(0, true)).find("no recipients"), std::string::npos);
}

TEST(QuarantineReleaseRules, ReleasedText) {
  QuarantineRecord q = held();
  EXPECT_EQ(releasedText(q), "-");
  q.released_by = "bob (releasing)";
  EXPECT_EQ(releasedText(q), "bob (releasing)");
  q.released_by = "bob";
  q.released_at = kHeldAt;
  EXPECT_EQ(releasedText(q), "bob at 2026-12-31T18:30:00Z");
  EXPECT_FALSE(releaseInProgress(q));
}

TEST(QuarantineReleaseRules, OutcomeTextsSayWhatToDoNext) {
  std::string uncertain =
      uncertainReleaseText("ts-5xk2q7m9d3hfa", "timed out", "bob (releasing)", "--force");
  EXPECT_NE(uncertain.find("stays marked 'bob (releasing)'"), std::string::npos) << uncertain;
  EXPECT_NE(uncertain.find("release again with --force"), std::string::npos) << uncertain;
  MarkResult cleared{MarkResult::Change::kDone, "", 0};
  EXPECT_EQ(undeliveredText("ts-5xk2q7m9d3hfa", "550 no", cleared),
            "ts-5xk2q7m9d3hfa was not delivered: 550 no; it is still held");
}

class QuarantineReleaseMarkTest : public TempStoreTest {
 protected:
  void SetUp() override {
    TempStoreTest::SetUp();
    write([this](MDB_txn* txn) { return QuarantineStore::put(txn, dbs(), held()); });
  }
  ReleaseStart start(std::string_view who, const ReleaseAsk& a) {
    ReleaseStart started;
    write([&](MDB_txn* txn) {
      started = startRelease(txn, dbs(), "ts-5xk2q7m9d3hfa", who, a);
      return started.rc;
    });
    return started;
  }
  MarkResult change(std::string_view expect, std::string_view by, std::int64_t at) {
    MarkResult changed;
    write([&](MDB_txn* txn) {
      changed = changeReleaseMark(txn, dbs(), "ts-5xk2q7m9d3hfa", expect, by, at);
      return changed.rc;
    });
    return changed;
  }
  QuarantineRecord stored() {
    ReadTransaction txn(*store_);
    auto got = QuarantineStore::get(txn.get(), dbs(), "ts-5xk2q7m9d3hfa");
    EXPECT_TRUE(got.ok() && *got);
    return got.ok() && *got ? **got : QuarantineRecord{};
  }
};

TEST_F(QuarantineReleaseMarkTest, StartMarksAndASecondStartIsRefused) {
  ReleaseStart first = start("alice", ask(60));
  ASSERT_TRUE(first.record) << first.refusal;
  EXPECT_EQ(first.record->released_by, "alice (releasing)");
  EXPECT_EQ(first.record->message, held().message) << "the record to send is the stored one";
  EXPECT_EQ(stored().released_by, "alice (releasing)") << "the mark is written before sending";

  ReleaseStart second = start("bob", ask(60));
  EXPECT_FALSE(second.record);
  EXPECT_NE(second.refusal.find("is being released by alice"), std::string::npos) << second.refusal;
  EXPECT_EQ(stored().released_by, "alice (releasing)");
}

TEST_F(QuarantineReleaseMarkTest, DeliveredThenRecorded) {
  ASSERT_TRUE(start("alice", ask(60)).record);
  EXPECT_TRUE(change("alice (releasing)", "alice", kHeldAt + 61).done());
  QuarantineRecord q = stored();
  EXPECT_EQ(q.released_by, "alice");
  EXPECT_EQ(q.released_at, kHeldAt + 61);
  ReleaseStart again = start("bob", ask(120, true));
  EXPECT_FALSE(again.record);
  EXPECT_NE(again.refusal.find("not sent twice"), std::string::npos) << again.refusal;
}

TEST_F(QuarantineReleaseMarkTest, RefusedByTheGatewayClearsTheMark) {
  ASSERT_TRUE(start("alice", ask(60)).record);
  EXPECT_TRUE(change("alice (releasing)", "", 0).done());
  EXPECT_EQ(stored().released_by, "");
  EXPECT_TRUE(start("bob", ask(60)).record) << "cleared: it may be released again";
}

TEST_F(QuarantineReleaseMarkTest, AMarkChangedMeanwhileIsLeftAlone) {
  ASSERT_TRUE(start("alice", ask(60)).record);
  MarkResult changed = change("", "bob (releasing)", 0);
  EXPECT_EQ(changed.change, MarkResult::Change::kRefused);
  EXPECT_NE(changed.message.find("changed meanwhile"), std::string::npos) << changed.message;
  EXPECT_EQ(stored().released_by, "alice (releasing)");
}

TEST_F(QuarantineReleaseMarkTest, ForcedAfterAnInterruptedRelease) {
  ASSERT_TRUE(start("alice", ask(60)).record);
  EXPECT_FALSE(start("bob", ask(60)).record);
  ReleaseStart forced = start("bob", ask(60, true));
  ASSERT_TRUE(forced.record) << forced.refusal;
  EXPECT_EQ(stored().released_by, "bob (releasing)");
}

TEST_F(QuarantineReleaseMarkTest, NotHeld) {
  ReleaseStart none;
  write([&](MDB_txn* txn) {
    none = startRelease(txn, dbs(), "ts-aaaaaaaaaaaaa", "alice", ask(0));
    return none.rc;
  });
  EXPECT_FALSE(none.record);
  EXPECT_NE(none.refusal.find("no quarantined message ts-aaaaaaaaaaaaa"), std::string::npos);
}

}  // namespace
}  // namespace ts::store
