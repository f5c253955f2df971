// The LMDB environment shared by the daemon and textscreenctl: one directory, named
// databases, opened after any fork, stale readers of killed processes cleared at open.
// Never MDB_WRITEMAP: a full disk must be an error value, not SIGBUS.
#pragma once

#include <lmdb.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "util/result.h"

namespace ts::store {

struct Databases {
  MDB_dbi allowlist = 0;
  MDB_dbi bans = 0;
  MDB_dbi decisions = 0;            // ref -> decision record
  MDB_dbi decisions_by_time = 0;    // be64 time + ref -> ""
  MDB_dbi decisions_by_domain = 0;  // domain \0 be64 time + ref -> ""
  MDB_dbi decisions_by_rcpt = 0;    // recipient \0 be64 time + ref -> ""
  MDB_dbi quarantine = 0;           // ref -> quarantine record
  MDB_dbi callouts = 0;             // sender address -> callout cache entry
};

class StoreEnvironment {
 public:
  static Result<std::unique_ptr<StoreEnvironment>> open(const std::string& directory,
                                                        std::size_t map_size);
  ~StoreEnvironment();
  StoreEnvironment(const StoreEnvironment&) = delete;
  StoreEnvironment& operator=(const StoreEnvironment&) = delete;

  MDB_env* env() const { return env_; }
  const Databases& dbs() const { return dbs_; }
  const std::string& directory() const { return directory_; }
  // Bytes the data file takes on disk.
  std::size_t sizeOnDisk() const;

 private:
  StoreEnvironment() = default;
  MDB_env* env_ = nullptr;
  Databases dbs_;
  std::string directory_;
};

// A read-only transaction for the length of one lookup.
class ReadTransaction {
 public:
  explicit ReadTransaction(const StoreEnvironment& store);
  ~ReadTransaction();
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;
  bool ok() const { return txn_ != nullptr; }
  int beginError() const { return begin_rc_; }
  MDB_txn* get() const { return txn_; }

 private:
  MDB_txn* txn_ = nullptr;
  int begin_rc_ = 0;
};

// A write transaction for textscreenctl and the store writer; aborted unless committed.
class WriteTransaction {
 public:
  explicit WriteTransaction(const StoreEnvironment& store);
  ~WriteTransaction();
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;
  bool ok() const { return txn_ != nullptr; }
  int beginError() const { return begin_rc_; }
  MDB_txn* get() const { return txn_; }
  int commit();

 private:
  MDB_txn* txn_ = nullptr;
  int begin_rc_ = 0;
};

MDB_val toVal(std::string_view s);
std::string_view fromVal(const MDB_val& v);
std::string storeError(int rc);
// An MDB error that a retry later may clear (full map or disk, reader table full).
bool isTemporary(int rc);

}  // namespace ts::store
