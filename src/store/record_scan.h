// Reading JSON records out of a database: one by key, or all in key order. A corrupt
// value is an error naming its key, never a half-read record.
#pragma once

#include <lmdb.h>

#include <functional>
#include <optional>
#include <string>

#include "store/records.h"
#include "store/store_environment.h"

namespace ts::store {

template <typename Record>
Result<std::optional<Record>> getRecord(MDB_txn* txn, MDB_dbi dbi, std::string_view key,
                                        const char* what,
                                        Result<Record> (*parse)(const nlohmann::json&)) {
  MDB_val k = toVal(key), v{};
  int rc = mdb_get(txn, dbi, &k, &v);
  if (rc == MDB_NOTFOUND) return std::optional<Record>();
  if (rc != 0) return fail(std::string(what) + " lookup: " + storeError(rc));
  auto j = parseStored(fromVal(v), std::string(what) + " " + std::string(key));
  if (!j) return fail(j.error());
  auto record = parse(*j);
  // The key says which record to fix or delete; the parser only knows what is wrong.
  if (!record) {
    return fail("corrupt " + std::string(what) + " " + std::string(key) + ": " +
                record.error().message);
  }
  return std::optional<Record>(std::move(*record));
}

template <typename Record>
Status<> scanRecords(MDB_txn* txn, MDB_dbi dbi, const char* what,
                     Result<Record> (*parse)(const nlohmann::json&),
                     const std::function<bool(const Record&)>& visit) {
  MDB_cursor* cursor = nullptr;
  int rc = mdb_cursor_open(txn, dbi, &cursor);
  if (rc != 0) return fail(std::string(what) + ": " + storeError(rc));
  MDB_val key{}, value{};
  Status<> status = Ok{};
  for (rc = mdb_cursor_get(cursor, &key, &value, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT)) {
    std::string name = std::string(what) + " " + std::string(fromVal(key));
    auto j = parseStored(fromVal(value), name);
    if (!j) {
      status = fail(j.error());
      break;
    }
    auto record = parse(*j);
    if (!record) {
      status = fail("corrupt " + name + ": " + record.error().message);
      break;
    }
    if (!visit(*record)) break;
  }
  mdb_cursor_close(cursor);
  return status;
}

}  // namespace ts::store
