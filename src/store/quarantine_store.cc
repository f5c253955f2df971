// One record per message; the message itself is in the record because SMS-sized mail
// is small (max_message_size bounds it).
#include "store/quarantine_store.h"

#include <nlohmann/json.hpp>

#include "store/record_scan.h"

namespace ts::store {

int QuarantineStore::put(MDB_txn* txn, const Databases& dbs, const QuarantineRecord& record) {
  std::string value = toJson(record, true).dump();
  MDB_val k = toVal(record.ref), v = toVal(value);
  return mdb_put(txn, dbs.quarantine, &k, &v, 0);
}

Result<std::optional<QuarantineRecord>> QuarantineStore::get(MDB_txn* txn, const Databases& dbs,
                                                             std::string_view ref) {
  return getRecord<QuarantineRecord>(txn, dbs.quarantine, ref, "quarantine record",
                                     quarantineFromJson);
}

int QuarantineStore::remove(MDB_txn* txn, const Databases& dbs, std::string_view ref) {
  MDB_val k = toVal(ref);
  return mdb_del(txn, dbs.quarantine, &k, nullptr);
}

Status<> QuarantineStore::forEach(MDB_txn* txn, const Databases& dbs,
                                  const std::function<bool(const QuarantineRecord&)>& visit) {
  return scanRecords<QuarantineRecord>(txn, dbs.quarantine, "quarantine record", quarantineFromJson,
                                       visit);
}

std::size_t QuarantineStore::count(MDB_txn* txn, const Databases& dbs) {
  MDB_stat st{};
  return mdb_stat(txn, dbs.quarantine, &st) == 0 ? st.ms_entries : 0;
}

}  // namespace ts::store
