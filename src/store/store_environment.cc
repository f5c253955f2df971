// MDB_NOTLS lets the loop's read transactions and the writer thread's write
// transactions live on different threads without tying reader slots to threads.
#include "store/store_environment.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace ts::store {
namespace {

constexpr unsigned kMaxDatabases = 16;

int openDb(MDB_txn* txn, const char* name, MDB_dbi* dbi) {
  return mdb_dbi_open(txn, name, MDB_CREATE, dbi);
}

}  // namespace

MDB_val toVal(std::string_view s) {
  return MDB_val{s.size(), const_cast<char*>(s.data())};
}

std::string_view fromVal(const MDB_val& v) {
  return {static_cast<const char*>(v.mv_data), v.mv_size};
}

std::string storeError(int rc) {
  return mdb_strerror(rc);
}

bool isTemporary(int rc) {
  return rc == MDB_MAP_FULL || rc == MDB_READERS_FULL || rc == MDB_TXN_FULL || rc == ENOSPC ||
         rc == EAGAIN || rc == EIO;
}

Result<std::unique_ptr<StoreEnvironment>> StoreEnvironment::open(const std::string& directory,
                                                                 std::size_t map_size) {
  // Group read-write, trimmed by the umask: textscreenctl, run by staff in the daemon's
  // group, opens this store too, and LMDB writes lock.mdb even to read. The packaged unit
  // runs with UMask=0007; under the usual 0022 the store stays the owner's alone.
  if (::mkdir(directory.c_str(), 0770) != 0 && errno != EEXIST) {
    return fail("cannot create store directory " + directory + ": " + std::strerror(errno));
  }
  std::unique_ptr<StoreEnvironment> store(new StoreEnvironment());
  store->directory_ = directory;
  int rc = mdb_env_create(&store->env_);
  if (rc == 0) rc = mdb_env_set_maxdbs(store->env_, kMaxDatabases);
  if (rc == 0) rc = mdb_env_set_mapsize(store->env_, map_size);
  if (rc == 0) rc = mdb_env_set_maxreaders(store->env_, 256);
  if (rc == 0) rc = mdb_env_open(store->env_, directory.c_str(), MDB_NOTLS, 0660);
  if (rc != 0) return fail("cannot open store in " + directory + ": " + storeError(rc));
  // A process killed while reading leaves its reader slot behind; clear such slots.
  int dead = 0;
  mdb_reader_check(store->env_, &dead);

  MDB_txn* txn = nullptr;
  rc = mdb_txn_begin(store->env_, nullptr, 0, &txn);
  if (rc != 0) return fail("cannot open store in " + directory + ": " + storeError(rc));
  Databases& d = store->dbs_;
  for (auto [name, dbi] : {std::pair{"allowlist", &d.allowlist},
                           {"bans", &d.bans},
                           {"decisions", &d.decisions},
                           {"decisions_by_time", &d.decisions_by_time},
                           {"decisions_by_domain", &d.decisions_by_domain},
                           {"decisions_by_rcpt", &d.decisions_by_rcpt},
                           {"quarantine", &d.quarantine},
                           {"callouts", &d.callouts}}) {
    rc = openDb(txn, name, dbi);
    if (rc != 0) {
      mdb_txn_abort(txn);
      return fail(std::string("cannot open database ") + name + ": " + storeError(rc));
    }
  }
  rc = mdb_txn_commit(txn);
  if (rc != 0) return fail("cannot create databases: " + storeError(rc));
  return store;
}

StoreEnvironment::~StoreEnvironment() {
  if (env_) mdb_env_close(env_);
}

std::size_t StoreEnvironment::sizeOnDisk() const {
  struct stat st {};
  std::string path = directory_ + "/data.mdb";
  if (::stat(path.c_str(), &st) != 0) return 0;
  return static_cast<std::size_t>(st.st_blocks) * 512;
}

ReadTransaction::ReadTransaction(const StoreEnvironment& store) {
  begin_rc_ = mdb_txn_begin(store.env(), nullptr, MDB_RDONLY, &txn_);
  if (begin_rc_ != 0) txn_ = nullptr;
}

ReadTransaction::~ReadTransaction() {
  if (txn_) mdb_txn_abort(txn_);
}

WriteTransaction::WriteTransaction(const StoreEnvironment& store) {
  begin_rc_ = mdb_txn_begin(store.env(), nullptr, 0, &txn_);
  if (begin_rc_ != 0) txn_ = nullptr;
}

WriteTransaction::~WriteTransaction() {
  if (txn_) mdb_txn_abort(txn_);
}

int WriteTransaction::commit() {
  int rc = mdb_txn_commit(txn_);
  txn_ = nullptr;
  return rc;
}

}  // namespace ts::store
