// The decision log: one record per message or refused transaction, keyed by reference
// id, indexed by sender domain and recipient so "why is my domain blocked" is a range
// scan, and pruned by age and count so it never grows without bound.
#pragma once

#include <lmdb.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/records.h"
#include "store/store_environment.h"

namespace ts::store {

class DecisionLog {
 public:
  static int put(MDB_txn* txn, const Databases& dbs, const DecisionRecord& record);
  static Result<std::optional<DecisionRecord>> get(MDB_txn* txn, const Databases& dbs,
                                                   std::string_view ref);
  // Newest first, no older than since, at most limit records.
  static Status<> byDomain(MDB_txn* txn, const Databases& dbs, std::string_view domain,
                           std::int64_t since, std::size_t limit,
                           const std::function<void(const DecisionRecord&)>& visit);
  static Status<> byRecipient(MDB_txn* txn, const Databases& dbs, std::string_view recipient,
                              std::int64_t since, std::size_t limit,
                              const std::function<void(const DecisionRecord&)>& visit);
  // Newest first over every decision, or one sender domain's when domain is not empty:
  // reads at most scan_limit records and stops early when visit returns false, so a
  // filtered listing costs a bounded time on the loop however large the log.
  static Status<> scanNewest(MDB_txn* txn, const Databases& dbs, std::string_view domain,
                             std::size_t scan_limit,
                             const std::function<bool(const DecisionRecord&)>& visit);
  enum class Index { kDomain, kRecipient };
  // The newest records (at most limit, none older than since) under any of keys in one
  // index, newest first: a number is indexed under each gateway domain.
  static Result<std::vector<DecisionRecord>> newestUnder(MDB_txn* txn, const Databases& dbs,
                                                         Index index,
                                                         const std::vector<std::string>& keys,
                                                         std::int64_t since, std::size_t limit);
  // Oldest first, from since on.
  static Status<> since(MDB_txn* txn, const Databases& dbs, std::int64_t since,
                        const std::function<void(const DecisionRecord&)>& visit);
  // Deletes records older than oldest_kept and the oldest beyond max_records; returns
  // how many went, or an MDB code.
  static Result<std::size_t, int> prune(MDB_txn* txn, const Databases& dbs,
                                        std::int64_t oldest_kept, std::size_t max_records);
  static std::size_t count(MDB_txn* txn, const Databases& dbs);
};

// The domain of an address, lower case ("" for the null sender).
std::string domainOf(std::string_view address);

}  // namespace ts::store
