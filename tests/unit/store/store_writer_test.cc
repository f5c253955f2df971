// The store writer: jobs commit on the writer thread, completions run on the loop only
// after the commit, and a failing job gets its own error without taking its batch
// neighbours with it.
#include "store/store_writer.h"

#include <gtest/gtest.h>

#include <event2/event.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "store/allowlist_store.h"
#include "temp_store.h"

namespace ts::store {
namespace {

class StoreWriterTest : public TempStoreTest {
 protected:
  void SetUp() override {
    TempStoreTest::SetUp();
    base_ = event_base_new();
    ASSERT_NE(base_, nullptr);
  }
  void TearDown() override {
    event_base_free(base_);
    TempStoreTest::TearDown();
  }

  // Runs the loop one wake-up at a time until done() holds; bounded so a lost wake-up
  // fails the test instead of hanging it.
  template <typename Done>
  bool runLoopUntil(Done&& done) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    timeval tick{0, 50'000};
    event* timer = evtimer_new(
        base_, [](evutil_socket_t, short, void*) {}, nullptr);
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      evtimer_add(timer, &tick);  // so EVLOOP_ONCE returns even when nothing else fires
      event_base_loop(base_, EVLOOP_ONCE);
    }
    event_free(timer);
    return done();
  }

  static StoreWriter::Job allow(std::string domain) {
    return [domain](MDB_txn* txn, const Databases& dbs) {
      AllowEntry e;
      e.domain = domain;
      return AllowlistStore::put(txn, dbs, e);
    };
  }

  bool stored(std::string_view domain) {
    ReadTransaction txn(*store_);
    auto found = AllowlistStore::find(txn.get(), dbs(), domain, now_);
    return found.ok() && found->has_value();
  }

  event_base* base_ = nullptr;
};

TEST_F(StoreWriterTest, CompletionsRunOnTheLoopAfterTheCommit) {
  StoreWriter writer(*store_, base_);
  std::vector<int> results;
  std::vector<bool> visible;
  std::thread::id loop_thread = std::this_thread::get_id();
  bool on_loop = true;
  for (int i = 0; i < 20; ++i) {
    std::string domain = "d" + std::to_string(i) + ".example";
    writer.submit(StoreWriter::Urgency::kDurable, allow(domain), [&, domain](int rc) {
      results.push_back(rc);
      // Durable before the completion: a new read transaction already sees it.
      visible.push_back(stored(domain));
      on_loop = on_loop && std::this_thread::get_id() == loop_thread;
    });
  }
  ASSERT_TRUE(runLoopUntil([&] { return results.size() == 20; }))
      << results.size() << " of 20 completions ran";
  EXPECT_EQ(results, std::vector<int>(20, 0));
  EXPECT_EQ(visible, std::vector<bool>(20, true));
  EXPECT_TRUE(on_loop);
  EXPECT_EQ(writer.queued(), 0u);
}

TEST_F(StoreWriterTest, FailingJobDoesNotTakeItsNeighboursWithIt) {
  StoreWriter writer(*store_, base_);
  // Hold the queue back until every job is in, so all of them land in one batch.
  std::mutex gate;
  std::unique_lock hold(gate);
  std::vector<std::pair<std::string, int>> results;
  writer.submit(
      StoreWriter::Urgency::kDurable,
      [&gate](MDB_txn*, const Databases&) {
        std::lock_guard wait(gate);
        return 0;
      },
      [&](int rc) { results.emplace_back("gate", rc); });
  // Give the writer time to pick up the gate job alone; the rest queue behind it.
  auto picked = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (writer.queued() != 0 && std::chrono::steady_clock::now() < picked) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  writer.submit(StoreWriter::Urgency::kDurable, allow("before.example"),
                [&](int rc) { results.emplace_back("before", rc); });
  writer.submit(
      StoreWriter::Urgency::kDurable,
      [](MDB_txn* txn, const Databases& dbs) {
        AllowEntry e;
        e.domain = "bad.example";
        int rc = AllowlistStore::put(txn, dbs, e);
        return rc != 0 ? rc : MDB_BAD_VALSIZE;  // fails after writing: must not stay
      },
      [&](int rc) { results.emplace_back("bad", rc); });
  writer.submit(StoreWriter::Urgency::kDurable, allow("after.example"),
                [&](int rc) { results.emplace_back("after", rc); });
  EXPECT_EQ(writer.queued(), 3u);
  hold.unlock();
  ASSERT_TRUE(runLoopUntil([&] { return results.size() == 4; }));
  std::vector<std::pair<std::string, int>> want{
      {"gate", 0}, {"before", 0}, {"bad", MDB_BAD_VALSIZE}, {"after", 0}};
  EXPECT_EQ(results, want);
  EXPECT_TRUE(stored("before.example"));
  EXPECT_TRUE(stored("after.example"));
  EXPECT_FALSE(stored("bad.example")) << "a failed job's writes were committed";
}

TEST_F(StoreWriterTest, DestructorFinishesQueuedJobs) {
  std::vector<int> results;
  {
    StoreWriter writer(*store_, base_);
    for (int i = 0; i < 5; ++i) {
      writer.submit(StoreWriter::Urgency::kDurable, allow("q" + std::to_string(i) + ".example"),
                    [&](int rc) { results.push_back(rc); });
    }
  }
  EXPECT_EQ(results, std::vector<int>(5, 0));
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(stored("q" + std::to_string(i) + ".example"));
}

TEST_F(StoreWriterTest, LazyJobsCommitToo) {
  StoreWriter writer(*store_, base_);
  int done = 0;
  for (int i = 0; i < 3; ++i) {
    writer.submit(StoreWriter::Urgency::kLazy, allow("lazy" + std::to_string(i) + ".example"),
                  [&](int rc) {
                    EXPECT_EQ(rc, 0);
                    ++done;
                  });
  }
  ASSERT_TRUE(runLoopUntil([&] { return done == 3; }));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(stored("lazy" + std::to_string(i) + ".example"));
}

TEST_F(StoreWriterTest, JobWithoutCompletion) {
  StoreWriter writer(*store_, base_);
  bool marker = false;
  writer.submit(StoreWriter::Urgency::kDurable, allow("fire-and-forget.example"), nullptr);
  writer.submit(StoreWriter::Urgency::kDurable, allow("marker.example"),
                [&](int) { marker = true; });
  ASSERT_TRUE(runLoopUntil([&] { return marker; }));
  EXPECT_TRUE(stored("fire-and-forget.example"));
}

}  // namespace
}  // namespace ts::store
