// Index keys end in a big-endian time and the reference id, so each index sorts by time
// within its domain or recipient, and the time index sorts globally for pruning.
#include "store/decision_log.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "store/record_scan.h"
#include "util/ascii.h"

namespace ts::store {
namespace {

std::string bigEndian(std::int64_t t) {
  auto u = static_cast<std::uint64_t>(t);
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = static_cast<char>(u & 0xFF);
    u >>= 8;
  }
  return out;
}

std::int64_t fromBigEndian(std::string_view s) {
  std::uint64_t u = 0;
  for (char c : s.substr(0, 8)) u = (u << 8) | static_cast<unsigned char>(c);
  return static_cast<std::int64_t>(u);
}

std::string indexKey(std::string_view prefix, std::int64_t time, std::string_view ref) {
  std::string key(prefix);
  key.push_back('\0');
  key.append(bigEndian(time)).append(ref);
  return key;
}

int putKey(MDB_txn* txn, MDB_dbi dbi, const std::string& key) {
  MDB_val k = toVal(key), v = toVal("");
  return mdb_put(txn, dbi, &k, &v, 0);
}

int delKey(MDB_txn* txn, MDB_dbi dbi, const std::string& key) {
  MDB_val k = toVal(key);
  int rc = mdb_del(txn, dbi, &k, nullptr);
  return rc == MDB_NOTFOUND ? 0 : rc;
}

// Walks an index backwards from the newest entry under prefix ("" with the time index:
// every record), until limit records were read or visit returns false.
Status<> newestFirst(MDB_txn* txn, const Databases& dbs, MDB_dbi index, std::string_view prefix,
                     std::int64_t since, std::size_t limit,
                     const std::function<bool(const DecisionRecord&)>& visit) {
  bool by_time = index == dbs.decisions_by_time;
  MDB_cursor* cursor = nullptr;
  int rc = mdb_cursor_open(txn, index, &cursor);
  if (rc != 0) return fail("decision index: " + storeError(rc));
  MDB_val key{}, value{};
  if (by_time) {
    rc = mdb_cursor_get(cursor, &key, &value, MDB_LAST);
  } else {
    std::string start(prefix);
    start.push_back('\1');  // just past every key of this prefix ("prefix\0...")
    key = toVal(start);
    rc = mdb_cursor_get(cursor, &key, &value, MDB_SET_RANGE);
    rc = rc == 0 ? mdb_cursor_get(cursor, &key, &value, MDB_PREV)
                 : mdb_cursor_get(cursor, &key, &value, MDB_LAST);
  }
  std::size_t seen = 0;
  Status<> status = Ok{};
  for (; rc == 0 && seen < limit; rc = mdb_cursor_get(cursor, &key, &value, MDB_PREV)) {
    std::string_view k = fromVal(key);
    std::string_view rest = k;
    if (!by_time) {
      if (k.size() < prefix.size() + 9 || k.substr(0, prefix.size()) != prefix ||
          k[prefix.size()] != '\0') {
        break;
      }
      rest = k.substr(prefix.size() + 1);
    }
    if (rest.size() < 8 || fromBigEndian(rest) < since) break;
    auto record = DecisionLog::get(txn, dbs, rest.substr(8));
    if (!record) {
      status = fail(record.error());
      break;
    }
    if (*record) {
      ++seen;
      if (!visit(**record)) break;
    }
  }
  mdb_cursor_close(cursor);
  return status;
}

int removeRecord(MDB_txn* txn, const Databases& dbs, const DecisionRecord& r) {
  int rc = delKey(txn, dbs.decisions_by_domain, indexKey(domainOf(r.mail_from), r.time, r.ref));
  for (const std::string& to : r.recipients) {
    if (rc == 0) rc = delKey(txn, dbs.decisions_by_rcpt, indexKey(asciiLower(to), r.time, r.ref));
  }
  if (rc == 0) rc = delKey(txn, dbs.decisions_by_time, bigEndian(r.time) + r.ref);
  MDB_val k = toVal(r.ref);
  if (rc == 0) rc = mdb_del(txn, dbs.decisions, &k, nullptr);
  return rc == MDB_NOTFOUND ? 0 : rc;
}

}  // namespace

std::string domainOf(std::string_view address) {
  std::size_t at = address.rfind('@');
  return at == std::string_view::npos ? std::string() : asciiLower(address.substr(at + 1));
}

int DecisionLog::put(MDB_txn* txn, const Databases& dbs, const DecisionRecord& r) {
  // A check's detail may quote what a sender wrote (a DNS list's TXT, a header value):
  // bytes that are not UTF-8 are replaced rather than failing the record.
  std::string value = toJson(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  MDB_val k = toVal(r.ref), v = toVal(value);
  int rc = mdb_put(txn, dbs.decisions, &k, &v, 0);
  if (rc == 0) rc = putKey(txn, dbs.decisions_by_time, bigEndian(r.time) + r.ref);
  if (rc == 0)
    rc = putKey(txn, dbs.decisions_by_domain, indexKey(domainOf(r.mail_from), r.time, r.ref));
  for (const std::string& to : r.recipients) {
    if (rc == 0) rc = putKey(txn, dbs.decisions_by_rcpt, indexKey(asciiLower(to), r.time, r.ref));
  }
  return rc;
}

Result<std::optional<DecisionRecord>> DecisionLog::get(MDB_txn* txn, const Databases& dbs,
                                                       std::string_view ref) {
  return getRecord<DecisionRecord>(txn, dbs.decisions, ref, "decision", decisionFromJson);
}

Status<> DecisionLog::byDomain(MDB_txn* txn, const Databases& dbs, std::string_view domain,
                               std::int64_t since, std::size_t limit,
                               const std::function<void(const DecisionRecord&)>& visit) {
  return newestFirst(txn, dbs, dbs.decisions_by_domain, asciiLower(domain), since, limit,
                     [&](const DecisionRecord& r) {
                       visit(r);
                       return true;
                     });
}

Status<> DecisionLog::byRecipient(MDB_txn* txn, const Databases& dbs, std::string_view recipient,
                                  std::int64_t since, std::size_t limit,
                                  const std::function<void(const DecisionRecord&)>& visit) {
  return newestFirst(txn, dbs, dbs.decisions_by_rcpt, asciiLower(recipient), since, limit,
                     [&](const DecisionRecord& r) {
                       visit(r);
                       return true;
                     });
}

Status<> DecisionLog::scanNewest(MDB_txn* txn, const Databases& dbs, std::string_view domain,
                                 std::size_t scan_limit,
                                 const std::function<bool(const DecisionRecord&)>& visit) {
  if (domain.empty()) return newestFirst(txn, dbs, dbs.decisions_by_time, "", 0, scan_limit, visit);
  return newestFirst(txn, dbs, dbs.decisions_by_domain, asciiLower(domain), 0, scan_limit, visit);
}

Status<> DecisionLog::since(MDB_txn* txn, const Databases& dbs, std::int64_t since,
                            const std::function<void(const DecisionRecord&)>& visit) {
  MDB_cursor* cursor = nullptr;
  int rc = mdb_cursor_open(txn, dbs.decisions_by_time, &cursor);
  if (rc != 0) return fail("decision index: " + storeError(rc));
  std::string start = bigEndian(since);
  MDB_val key = toVal(start), value{};
  Status<> status = Ok{};
  for (rc = mdb_cursor_get(cursor, &key, &value, MDB_SET_RANGE); rc == 0;
       rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT)) {
    auto record = get(txn, dbs, fromVal(key).substr(8));
    if (!record) {
      status = fail(record.error());
      break;
    }
    if (*record) visit(**record);
  }
  mdb_cursor_close(cursor);
  return status;
}

std::size_t DecisionLog::count(MDB_txn* txn, const Databases& dbs) {
  MDB_stat st{};
  return mdb_stat(txn, dbs.decisions, &st) == 0 ? st.ms_entries : 0;
}

Result<std::size_t, int> DecisionLog::prune(MDB_txn* txn, const Databases& dbs,
                                            std::int64_t oldest_kept, std::size_t max_records) {
  std::size_t total = count(txn, dbs);
  std::size_t removed = 0;
  while (true) {
    MDB_cursor* cursor = nullptr;
    int rc = mdb_cursor_open(txn, dbs.decisions_by_time, &cursor);
    if (rc != 0) return fail(rc);
    MDB_val key{}, value{};
    rc = mdb_cursor_get(cursor, &key, &value, MDB_FIRST);
    std::string first = rc == 0 ? std::string(fromVal(key)) : std::string();
    mdb_cursor_close(cursor);
    if (rc == MDB_NOTFOUND) break;
    if (rc != 0) return fail(rc);
    std::int64_t time = fromBigEndian(first);
    if (time >= oldest_kept && total - removed <= max_records) break;
    std::string ref = first.substr(8);
    auto record = get(txn, dbs, ref);
    DecisionRecord r;
    if (record && *record) {
      r = std::move(**record);
    } else {
      r.ref = ref;  // a corrupt or missing record: its time key still has to go
      r.time = time;
    }
    rc = removeRecord(txn, dbs, r);
    if (rc == 0) rc = delKey(txn, dbs.decisions_by_time, first);
    if (rc != 0) return fail(rc);
    ++removed;
  }
  return removed;
}

Result<std::vector<DecisionRecord>> DecisionLog::newestUnder(MDB_txn* txn, const Databases& dbs,
                                                             Index index,
                                                             const std::vector<std::string>& keys,
                                                             std::int64_t since,
                                                             std::size_t limit) {
  std::vector<DecisionRecord> found;
  auto collect = [&](const DecisionRecord& r) { found.push_back(r); };
  for (const std::string& key : keys) {
    auto status = index == Index::kDomain ? byDomain(txn, dbs, key, since, limit, collect)
                                          : byRecipient(txn, dbs, key, since, limit, collect);
    if (!status) return fail(status.error());
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const auto& a, const auto& b) { return a.time > b.time; });
  if (found.size() > limit) found.resize(limit);
  return found;
}

}  // namespace ts::store
