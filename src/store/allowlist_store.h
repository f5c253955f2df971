// Allowlisted business domains, keyed by domain. A lookup tries the domain itself, then
// each parent whose entry covers subdomains; expired entries are ignored.
#pragma once

#include <lmdb.h>

#include <functional>
#include <optional>
#include <string_view>

#include "store/records.h"
#include "store/store_environment.h"

namespace ts::store {

class AllowlistStore {
 public:
  static Result<std::optional<AllowEntry>> find(MDB_txn* txn, const Databases& dbs,
                                                std::string_view domain, std::int64_t now);
  static int put(MDB_txn* txn, const Databases& dbs, const AllowEntry& entry);
  static int remove(MDB_txn* txn, const Databases& dbs, std::string_view domain);
  // Calls visit for every entry in domain order; stops early when it returns false.
  static Status<> forEach(MDB_txn* txn, const Databases& dbs,
                          const std::function<bool(const AllowEntry&)>& visit);
};

}  // namespace ts::store
