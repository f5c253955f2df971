// Keys are "kind:value". Client networks are stored as canonical CIDR text, and a lookup
// tries the client's address at every prefix length: at most 33 (IPv4) or 129 (IPv6)
// B-tree searches, each a few hundred nanoseconds, only for a new connection.
#include "store/ban_store.h"

#include <nlohmann/json.hpp>

#include "net/cidr.h"
#include "store/record_scan.h"
#include "util/ascii.h"

namespace ts::store {
namespace {

std::string keyOf(BanKind kind, std::string_view value) {
  std::string key(banKindName(kind));
  key.push_back(':');
  key.append(value);
  return key;
}

Result<std::optional<BanEntry>> lookup(MDB_txn* txn, const Databases& dbs, const std::string& key,
                                       std::int64_t now) {
  auto found = getRecord<BanEntry>(txn, dbs.bans, key, "ban", banEntryFromJson);
  if (found && *found && (*found)->expired(now)) return std::optional<BanEntry>();
  return found;
}

}  // namespace

Result<std::string> BanStore::normalise(BanKind kind, std::string_view value) {
  if (value.empty()) return fail(std::string("empty ban value"));
  switch (kind) {
    case BanKind::kClient: {
      auto cidr = Cidr::parse(value);
      if (!cidr) return fail(cidr.error());
      return cidr->toString();
    }
    case BanKind::kSender:
      if (value.find('@') == std::string_view::npos) {
        return fail("'" + std::string(value) + "' is not an address (local@domain)");
      }
      return asciiLower(value);
    case BanKind::kDomain:
      if (value.find('@') != std::string_view::npos || value.find('.') == std::string_view::npos) {
        return fail("'" + std::string(value) + "' is not a domain name");
      }
      return asciiLower(value);
    case BanKind::kRecipient:
      for (char c : value) {
        if ((c < '0' || c > '9') && c != '+') {
          return fail("'" + std::string(value) + "' is not a recipient number (digits)");
        }
      }
      return std::string(value);
  }
  return fail(std::string("unknown ban kind"));
}

Result<std::optional<BanEntry>> BanStore::find(MDB_txn* txn, const Databases& dbs, BanKind kind,
                                               std::string_view value, std::int64_t now) {
  std::string v = kind == BanKind::kRecipient ? std::string(value) : asciiLower(value);
  if (kind != BanKind::kDomain) return lookup(txn, dbs, keyOf(kind, v), now);
  std::string_view candidate = v;
  while (!candidate.empty()) {
    auto found = lookup(txn, dbs, keyOf(kind, candidate), now);
    if (!found || found->has_value()) return found;
    std::size_t dot = candidate.find('.');
    if (dot == std::string_view::npos) break;
    candidate.remove_prefix(dot + 1);
  }
  return std::optional<BanEntry>();
}

namespace {

// Whether any client network is banned at all: one B-tree search, where the lookup below
// makes up to 129 (and builds a key for each). Most gateways ban no networks, and this
// ran for every MAIL (the heaptrack profile of the load harness).
bool anyClientBans(MDB_txn* txn, const Databases& dbs) {
  std::string prefix = keyOf(BanKind::kClient, "");
  MDB_cursor* cursor = nullptr;
  if (mdb_cursor_open(txn, dbs.bans, &cursor) != 0) return true;  // let the lookup say why
  MDB_val key = toVal(prefix), value{};
  int rc = mdb_cursor_get(cursor, &key, &value, MDB_SET_RANGE);
  bool any = rc == 0 && key.mv_size >= prefix.size() &&
             std::string_view(static_cast<const char*>(key.mv_data), prefix.size()) == prefix;
  mdb_cursor_close(cursor);
  return any;
}

}  // namespace

Result<std::optional<BanEntry>> BanStore::findClient(MDB_txn* txn, const Databases& dbs,
                                                     const SocketAddress& client,
                                                     std::int64_t now) {
  if (!anyClientBans(txn, dbs)) return std::optional<BanEntry>();
  unsigned max_prefix = client.family() == AF_INET6 ? 128 : 32;
  for (int prefix = static_cast<int>(max_prefix); prefix >= 0; --prefix) {
    auto network = Cidr::containing(client, static_cast<unsigned>(prefix));
    if (!network) continue;
    auto found = lookup(txn, dbs, keyOf(BanKind::kClient, network->toString()), now);
    if (!found || found->has_value()) return found;
  }
  return std::optional<BanEntry>();
}

int BanStore::put(MDB_txn* txn, const Databases& dbs, const BanEntry& entry) {
  std::string key = keyOf(entry.kind, entry.value);
  std::string value = toJson(entry).dump();
  MDB_val k = toVal(key), v = toVal(value);
  return mdb_put(txn, dbs.bans, &k, &v, 0);
}

int BanStore::remove(MDB_txn* txn, const Databases& dbs, BanKind kind, std::string_view value) {
  std::string key = keyOf(kind, value);
  MDB_val k = toVal(key);
  return mdb_del(txn, dbs.bans, &k, nullptr);
}

Status<> BanStore::forEach(MDB_txn* txn, const Databases& dbs,
                           const std::function<bool(const BanEntry&)>& visit) {
  return scanRecords<BanEntry>(txn, dbs.bans, "ban", banEntryFromJson, visit);
}

}  // namespace ts::store
