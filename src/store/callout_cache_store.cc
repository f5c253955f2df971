// JSON mapping of the callout cache entry and its table. The entry names its address, so
// textscreenctl can print a dump without the keys; parsing checks every field's type
// (no exceptions), because a dump may be edited by hand.
#include "store/callout_cache_store.h"

#include <nlohmann/json.hpp>

#include <utility>

#include "store/record_scan.h"

namespace ts::store {
namespace {

using nlohmann::json;

bool readString(const json& j, const char* name, std::string& out, bool required,
                std::string& error) {
  auto it = j.find(name);
  if (it == j.end()) {
    if (required) error = std::string("missing field '") + name + "'";
    return !required;
  }
  if (!it->is_string()) {
    error = std::string("field '") + name + "' is not a string";
    return false;
  }
  out = it->get_ref<const std::string&>();
  return true;
}

bool readTime(const json& j, const char* name, std::int64_t& out, std::string& error) {
  auto it = j.find(name);
  if (it == j.end()) {
    error = std::string("missing field '") + name + "'";
    return false;
  }
  if (!it->is_number_integer()) {
    error = std::string("field '") + name + "' is not a whole number";
    return false;
  }
  out = it->get<std::int64_t>();
  return true;
}

bool expired(const CalloutCacheEntry& e, std::int64_t now) {
  return e.expires <= now;
}

}  // namespace

json toJson(std::string_view address, const CalloutCacheEntry& e) {
  return json{{"address", address},   {"finding", calloutFindingName(e.finding)},
              {"host", e.host},       {"reply", e.reply},
              {"checked", e.checked}, {"expires", e.expires}};
}

Result<CalloutCacheEntry> calloutEntryFromJson(const json& j) {
  if (!j.is_object()) return fail(std::string("callout entry is not an object"));
  CalloutCacheEntry e;
  std::string err, finding, address;
  if (!(readString(j, "address", address, false, err) &&
        readString(j, "finding", finding, true, err) && readString(j, "host", e.host, false, err) &&
        readString(j, "reply", e.reply, false, err) && readTime(j, "checked", e.checked, err) &&
        readTime(j, "expires", e.expires, err))) {
    return fail("callout entry: " + err);
  }
  auto f = parseCalloutFinding(finding);
  if (!f) {
    return fail("callout entry: unknown finding '" + finding +
                "' (verified, accept-all, rejected, null-mx, no-domain, unverifiable)");
  }
  e.finding = *f;
  return e;
}

CalloutCacheStore::CalloutCacheStore(const StoreEnvironment& store, StoreWriter& writer)
    : store_(store), writer_(writer) {}

std::optional<CalloutCacheEntry> CalloutCacheStore::get(std::string_view address,
                                                        std::chrono::system_clock::time_point now) {
  std::int64_t seconds =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (auto it = pending_->find(calloutCacheKey(address)); it != pending_->end()) {
    if (!expired(it->second, seconds)) return it->second;
  }
  ReadTransaction txn(store_);
  if (!txn.ok()) return std::nullopt;  // a store fault costs a probe, never a verdict
  auto found = find(txn.get(), store_.dbs(), address, seconds);
  if (!found) return std::nullopt;  // corrupt: the next put overwrites it
  return std::move(*found);
}

void CalloutCacheStore::put(std::string_view address, const CalloutCacheEntry& entry,
                            std::chrono::seconds ttl) {
  if (ttl.count() <= 0) return;
  CalloutCacheEntry stored = entry;
  stored.expires = entry.checked + ttl.count();
  std::string key = calloutCacheKey(address);
  (*pending_)[key] = stored;
  writer_.submit(
      StoreWriter::Urgency::kLazy,
      [key, stored](MDB_txn* txn, const Databases& dbs) { return put(txn, dbs, key, stored); },
      [pending = pending_, key, expires = stored.expires](int) {
        // Committed (or failed: then the next lookup probes again). A newer put of the
        // same key stays until its own commit.
        auto it = pending->find(key);
        if (it != pending->end() && it->second.expires == expires) pending->erase(it);
      });
  if (++puts_ % kPruneEvery != 0) return;
  std::int64_t now = entry.checked;
  writer_.submit(
      StoreWriter::Urgency::kLazy,
      [now, resume = prune_resume_](MDB_txn* txn, const Databases& dbs) {
        auto pruned = pruneExpired(txn, dbs, now, kPruneBatch, resume.get());
        return pruned ? 0 : pruned.error();
      },
      nullptr);
}

Result<std::optional<CalloutCacheEntry>> CalloutCacheStore::find(MDB_txn* txn, const Databases& dbs,
                                                                 std::string_view address,
                                                                 std::int64_t now) {
  auto found = getRecord<CalloutCacheEntry>(txn, dbs.callouts, calloutCacheKey(address),
                                            "callout entry", calloutEntryFromJson);
  if (found && *found && expired(**found, now)) return std::optional<CalloutCacheEntry>();
  return found;
}

int CalloutCacheStore::put(MDB_txn* txn, const Databases& dbs, std::string_view address,
                           const CalloutCacheEntry& entry) {
  std::string key = calloutCacheKey(address);
  // Replace, not throw, on bytes that are not UTF-8: the text came from someone's server.
  std::string value = toJson(key, entry).dump(-1, ' ', false, json::error_handler_t::replace);
  MDB_val k = toVal(key), v = toVal(value);
  return mdb_put(txn, dbs.callouts, &k, &v, 0);
}

Status<> CalloutCacheStore::list(
    MDB_txn* txn, const Databases& dbs,
    const std::function<bool(const std::string& address, const CalloutCacheEntry&)>& visit) {
  MDB_cursor* cursor = nullptr;
  int rc = mdb_cursor_open(txn, dbs.callouts, &cursor);
  if (rc != 0) return fail("callout cache: " + storeError(rc));
  MDB_val key{}, value{};
  Status<> status = Ok{};
  for (rc = mdb_cursor_get(cursor, &key, &value, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT)) {
    std::string address(fromVal(key));
    auto j = parseStored(fromVal(value), "callout entry " + address);
    if (!j) {
      status = fail(j.error());
      break;
    }
    auto entry = calloutEntryFromJson(*j);
    if (!entry) {
      status = fail("corrupt callout entry " + address + ": " + entry.error().message);
      break;
    }
    if (!visit(address, *entry)) break;
  }
  mdb_cursor_close(cursor);
  return status;
}

int CalloutCacheStore::erase(MDB_txn* txn, const Databases& dbs, std::string_view address) {
  std::string key = calloutCacheKey(address);
  MDB_val k = toVal(key);
  return mdb_del(txn, dbs.callouts, &k, nullptr);
}

Result<std::size_t, int> CalloutCacheStore::clear(MDB_txn* txn, const Databases& dbs) {
  MDB_stat st{};
  int rc = mdb_stat(txn, dbs.callouts, &st);
  if (rc == 0) rc = mdb_drop(txn, dbs.callouts, 0);  // 0: empty it, keep the database
  if (rc != 0) return fail(rc);
  return st.ms_entries;
}

Result<std::size_t, int> CalloutCacheStore::pruneExpired(MDB_txn* txn, const Databases& dbs,
                                                         std::int64_t now, std::size_t max_scan,
                                                         std::string* resume_after) {
  MDB_cursor* cursor = nullptr;
  int rc = mdb_cursor_open(txn, dbs.callouts, &cursor);
  if (rc != 0) return fail(rc);
  MDB_val key{}, value{};
  if (resume_after->empty()) {
    rc = mdb_cursor_get(cursor, &key, &value, MDB_FIRST);
  } else {
    key = toVal(*resume_after);
    rc = mdb_cursor_get(cursor, &key, &value, MDB_SET_RANGE);
    // SET_RANGE lands on the key itself when it is still there: it was scanned already.
    if (rc == 0 && fromVal(key) == *resume_after) {
      rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT);
    }
  }
  std::size_t removed = 0;
  std::size_t scanned = 0;
  for (; rc == 0 && scanned < max_scan; ++scanned) {
    *resume_after = std::string(fromVal(key));
    auto j = parseStored(fromVal(value), "callout entry");
    auto entry = j ? calloutEntryFromJson(*j) : Result<CalloutCacheEntry>(fail(j.error()));
    if (!entry || expired(*entry, now)) {
      rc = mdb_cursor_del(cursor, 0);
      if (rc != 0) break;
      ++removed;
    }
    rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT);
  }
  mdb_cursor_close(cursor);
  if (rc == MDB_NOTFOUND) {
    resume_after->clear();  // reached the end: the next batch starts over
    rc = 0;
  }
  if (rc != 0) return fail(rc);
  return removed;
}

}  // namespace ts::store
