// The one writer of the daemon's LMDB environment (DESIGN.md "The store writer"): the
// loop queues jobs, a thread commits them in batches (one fsync for many), and an
// eventfd wakes the loop to run each job's completion once its batch is durable.
#pragma once

#include <event2/event.h>
#include <lmdb.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "store/store_environment.h"

namespace ts::store {

class StoreWriter {
 public:
  // Runs on the writer thread inside a write transaction; returns an MDB code.
  using Job = std::function<int(MDB_txn*, const Databases&)>;
  // Runs on the loop after the batch committed (rc 0) or failed (an MDB code).
  using Done = std::function<void(int rc)>;

  StoreWriter(StoreEnvironment& store, event_base* base);
  ~StoreWriter();  // finishes every queued job, runs their completions, joins
  StoreWriter(const StoreWriter&) = delete;
  StoreWriter& operator=(const StoreWriter&) = delete;

  // A durable job is committed at once; a lazy one (the decision log, pruning) may wait
  // up to kLazyWindow for company, so a busy daemon pays one fsync for many records.
  enum class Urgency { kDurable, kLazy };
  static constexpr std::chrono::milliseconds kLazyWindow{50};

  void submit(Urgency urgency, Job job, Done done);
  std::size_t queued() const;

 private:
  struct Pending {
    Job job;
    Done done;
    Urgency urgency = Urgency::kDurable;
    int rc = 0;
  };
  bool anyDurable(const std::deque<Pending>& jobs) const;

  void run();
  void commitBatch(std::deque<Pending>& batch);
  void runCompletions();
  static void wakeCallback(evutil_socket_t fd, short what, void* self);

  StoreEnvironment& store_;
  int wake_fd_ = -1;
  event* wake_event_ = nullptr;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;      // waiting for the writer
  std::deque<Pending> completed_;  // committed, waiting for the loop
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ts::store
