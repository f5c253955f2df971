// Ban lists (ACLs): sender address, sender domain (and its subdomains), client address
// or network, recipient number. A ban wins over an allowlist entry.
#pragma once

#include <lmdb.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "net/socket_address.h"
#include "store/records.h"
#include "store/store_environment.h"

namespace ts::store {

class BanStore {
 public:
  // Checks the value the way its kind matches: a domain by itself and its parents, a
  // client address by every network that contains it.
  static Result<std::optional<BanEntry>> find(MDB_txn* txn, const Databases& dbs, BanKind kind,
                                              std::string_view value, std::int64_t now);
  static Result<std::optional<BanEntry>> findClient(MDB_txn* txn, const Databases& dbs,
                                                    const SocketAddress& client, std::int64_t now);
  static int put(MDB_txn* txn, const Databases& dbs, const BanEntry& entry);
  static int remove(MDB_txn* txn, const Databases& dbs, BanKind kind, std::string_view value);
  static Status<> forEach(MDB_txn* txn, const Databases& dbs,
                          const std::function<bool(const BanEntry&)>& visit);
  // The stored form of a value: lower case; a client as a CIDR network. Errors name
  // what is wrong with it.
  static Result<std::string> normalise(BanKind kind, std::string_view value);
};

}  // namespace ts::store
