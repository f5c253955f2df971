// Quarantined messages, keyed by reference id: the raw message, its envelope, why it is
// held, and who released it. Written through the store writer, durable before the 250.
#pragma once

#include <lmdb.h>

#include <functional>
#include <optional>
#include <string_view>

#include "store/records.h"
#include "store/store_environment.h"

namespace ts::store {

class QuarantineStore {
 public:
  static int put(MDB_txn* txn, const Databases& dbs, const QuarantineRecord& record);
  static Result<std::optional<QuarantineRecord>> get(MDB_txn* txn, const Databases& dbs,
                                                     std::string_view ref);
  static int remove(MDB_txn* txn, const Databases& dbs, std::string_view ref);
  static Status<> forEach(MDB_txn* txn, const Databases& dbs,
                          const std::function<bool(const QuarantineRecord&)>& visit);
  static std::size_t count(MDB_txn* txn, const Databases& dbs);
};

}  // namespace ts::store
