// The sender callout's cache in LMDB, keyed by sender address, so a verified sender stays
// verified across restarts and across the processes sharing the store. The loop reads in
// a short read transaction; writes go to the store writer, lazily: a lost write costs one
// more probe, never a wrong verdict.
#pragma once

#include <lmdb.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json_fwd.hpp>

#include "checks/callout/callout_cache.h"
#include "store/store_environment.h"
#include "store/store_writer.h"

namespace ts::store {

nlohmann::json toJson(std::string_view address, const CalloutCacheEntry& e);
Result<CalloutCacheEntry> calloutEntryFromJson(const nlohmann::json& j);

class CalloutCacheStore final : public CalloutCache {
 public:
  // Every this many puts, one lazy job also deletes the expired entries among the next
  // kPruneBatch keys (a rotating scan), so the table stays near its live size without a
  // long write transaction.
  static constexpr unsigned kPruneEvery = 256;
  static constexpr std::size_t kPruneBatch = 2048;

  CalloutCacheStore(const StoreEnvironment& store, StoreWriter& writer);

  std::optional<CalloutCacheEntry> get(std::string_view address,
                                       std::chrono::system_clock::time_point now) override;
  void put(std::string_view address, const CalloutCacheEntry& entry,
           std::chrono::seconds ttl) override;

  // For textscreenctl and tests; address is normalised with calloutCacheKey.
  // An expired entry is not found.
  static Result<std::optional<CalloutCacheEntry>> find(MDB_txn* txn, const Databases& dbs,
                                                       std::string_view address, std::int64_t now);
  static int put(MDB_txn* txn, const Databases& dbs, std::string_view address,
                 const CalloutCacheEntry& entry);
  // Every entry in address order, expired ones too (the caller sees expires); stops
  // early when visit returns false.
  static Status<> list(
      MDB_txn* txn, const Databases& dbs,
      const std::function<bool(const std::string& address, const CalloutCacheEntry&)>& visit);
  // 0, or MDB_NOTFOUND when there was no entry.
  static int erase(MDB_txn* txn, const Databases& dbs, std::string_view address);
  // Deletes every entry; returns how many there were, or an MDB code.
  static Result<std::size_t, int> clear(MDB_txn* txn, const Databases& dbs);
  // Deletes expired (and unreadable) entries among at most max_scan keys after
  // *resume_after (from the first when empty), and moves *resume_after on, back to ""
  // at the end. Returns how many went, or an MDB code.
  static Result<std::size_t, int> pruneExpired(MDB_txn* txn, const Databases& dbs, std::int64_t now,
                                               std::size_t max_scan, std::string* resume_after);

 private:
  const StoreEnvironment& store_;
  StoreWriter& writer_;
  unsigned puts_ = 0;
  // Entries queued but not yet committed: a second message from the same sender within
  // the writer's batching delay must not probe again. Shared with the commit callbacks,
  // which may run after this object is gone.
  using Pending = std::unordered_map<std::string, CalloutCacheEntry>;
  std::shared_ptr<Pending> pending_ = std::make_shared<Pending>();
  // Touched only by jobs on the writer thread, which run one at a time.
  std::shared_ptr<std::string> prune_resume_ = std::make_shared<std::string>();
};

}  // namespace ts::store
