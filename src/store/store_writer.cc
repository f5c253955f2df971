// A batch commits as one transaction. If a job fails, the batch is aborted and every job
// retried alone, so one bad job (or a full map) cannot take its neighbours with it.
#include "store/store_writer.h"

#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdint>

namespace ts::store {
namespace {
constexpr int kWriterNice = 10;
}  // namespace

StoreWriter::StoreWriter(StoreEnvironment& store, event_base* base) : store_(store) {
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  wake_event_ = event_new(base, wake_fd_, EV_READ | EV_PERSIST, wakeCallback, this);
  event_add(wake_event_, nullptr);
  thread_ = std::thread([this] { run(); });
}

StoreWriter::~StoreWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
  runCompletions();
  event_free(wake_event_);
  ::close(wake_fd_);
}

void StoreWriter::submit(Urgency urgency, Job job, Done done) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    // A writer that already holds lazy jobs is waiting for company or a durable job: one
    // more lazy job needs no futex wake-up (one per message showed in the load profile).
    wake = queue_.empty() || urgency == Urgency::kDurable;
    queue_.push_back(Pending{std::move(job), std::move(done), urgency, 0});
  }
  if (wake) cv_.notify_one();
}

bool StoreWriter::anyDurable(const std::deque<Pending>& jobs) const {
  for (const Pending& p : jobs) {
    if (p.urgency == Urgency::kDurable) return true;
  }
  return false;
}

std::size_t StoreWriter::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void StoreWriter::run() {
  // Commits (pwrite, fdatasync) take milliseconds; on a core shared with the event loop
  // they must not hold up its replies. A lower priority lets the loop preempt the writer,
  // which catches up whenever the loop waits (the load harness's p99 latency showed it).
  setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kWriterNice);
  while (true) {
    std::deque<Pending> batch;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to write
      if (!anyDurable(queue_)) {
        cv_.wait_for(lock, kLazyWindow, [this] { return stopping_ || anyDurable(queue_); });
      }
      batch.swap(queue_);
    }
    commitBatch(batch);
    {
      std::lock_guard lock(mutex_);
      for (Pending& p : batch) completed_.push_back(std::move(p));
    }
    std::uint64_t one = 1;
    [[maybe_unused]] auto written = ::write(wake_fd_, &one, sizeof(one));
  }
}

void StoreWriter::commitBatch(std::deque<Pending>& batch) {
  {
    WriteTransaction txn(store_);
    int rc = txn.ok() ? 0 : txn.beginError();
    for (Pending& p : batch) {
      if (rc != 0) break;
      rc = p.job(txn.get(), store_.dbs());
    }
    if (rc == 0) rc = txn.commit();
    if (rc == 0) {
      for (Pending& p : batch) p.rc = 0;
      return;
    }
    if (batch.size() == 1) {
      batch.front().rc = rc;
      return;
    }
  }
  for (Pending& p : batch) {
    WriteTransaction txn(store_);
    int rc = txn.ok() ? p.job(txn.get(), store_.dbs()) : txn.beginError();
    if (rc == 0) rc = txn.commit();
    p.rc = rc;
  }
}

void StoreWriter::wakeCallback(evutil_socket_t fd, short, void* self) {
  std::uint64_t count = 0;
  [[maybe_unused]] auto n = ::read(fd, &count, sizeof(count));
  static_cast<StoreWriter*>(self)->runCompletions();
}

void StoreWriter::runCompletions() {
  std::deque<Pending> done;
  {
    std::lock_guard lock(mutex_);
    done.swap(completed_);
  }
  for (Pending& p : done) {
    if (p.done) p.done(p.rc);
  }
}

}  // namespace ts::store
