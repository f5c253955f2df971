// Keys are the lower-case domain, so a lookup is one B-tree search per label.
#include "store/allowlist_store.h"

#include <nlohmann/json.hpp>

#include "store/record_scan.h"
#include "util/ascii.h"

namespace ts::store {

Result<std::optional<AllowEntry>> AllowlistStore::find(MDB_txn* txn, const Databases& dbs,
                                                       std::string_view domain, std::int64_t now) {
  std::string name = asciiLower(domain);
  bool exact = true;
  std::string_view candidate = name;
  while (!candidate.empty()) {
    auto entry =
        getRecord<AllowEntry>(txn, dbs.allowlist, candidate, "allowlist entry", allowEntryFromJson);
    if (!entry) return entry;
    if (*entry && (exact || (*entry)->subdomains) && !(*entry)->expired(now)) return entry;
    std::size_t dot = candidate.find('.');
    if (dot == std::string_view::npos) break;
    candidate.remove_prefix(dot + 1);
    exact = false;
  }
  return std::optional<AllowEntry>();
}

int AllowlistStore::put(MDB_txn* txn, const Databases& dbs, const AllowEntry& entry) {
  std::string domain = asciiLower(entry.domain);
  std::string value = toJson(entry).dump();
  MDB_val key = toVal(domain), val = toVal(value);
  return mdb_put(txn, dbs.allowlist, &key, &val, 0);
}

int AllowlistStore::remove(MDB_txn* txn, const Databases& dbs, std::string_view domain) {
  std::string d = asciiLower(domain);
  MDB_val key = toVal(d);
  return mdb_del(txn, dbs.allowlist, &key, nullptr);
}

Status<> AllowlistStore::forEach(MDB_txn* txn, const Databases& dbs,
                                 const std::function<bool(const AllowEntry&)>& visit) {
  return scanRecords<AllowEntry>(txn, dbs.allowlist, "allowlist entry", allowEntryFromJson, visit);
}

}  // namespace ts::store
