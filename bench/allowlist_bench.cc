// The allowlist lookup the daemon makes at MAIL FROM, against a store of one million
// entries: a read transaction of its own and AllowlistStore::find, for an exact hit, a
// miss (every parent domain is tried) and a hit through a parent's subdomain entry.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "allocation_counter.h"
#include "store/allowlist_store.h"
#include "store/store_environment.h"

namespace {

constexpr std::size_t kEntries = 1'000'000;
// Entries per write transaction while filling: big, since nobody else waits here.
constexpr std::size_t kFillBatch = 100'000;
// Lookups cycle through this many different names, so the benchmark does not measure
// one B-tree path that stays in the CPU cache.
constexpr std::size_t kNames = 4096;
constexpr std::size_t kMapSize = std::size_t{4} << 30;

std::string domainName(std::size_t i) {
  return fmt::format("business{:07}.example", i);
}

// Every tenth entry covers its subdomains too, as a business with per-site senders would.
bool coversSubdomains(std::size_t i) {
  return i % 10 == 0;
}

// One store, filled once for all benchmarks and removed at exit.
class FilledStore {
 public:
  static FilledStore& get() {
    static FilledStore store;
    return store;
  }
  ~FilledStore() {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  const ts::store::StoreEnvironment& env() const { return *store_; }

 private:
  FilledStore() {
    char tmpl[] = "/tmp/textscreen-allowlist-bench-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto opened = ts::store::StoreEnvironment::open(dir_, kMapSize);
    if (!opened) {
      fmt::print(stderr, "cannot open the store: {}\n", opened.error().message);
      std::abort();
    }
    store_ = std::move(*opened);
    for (std::size_t start = 0; start < kEntries; start += kFillBatch) {
      ts::store::WriteTransaction txn(*store_);
      int rc = txn.ok() ? 0 : txn.beginError();
      for (std::size_t i = start; i < start + kFillBatch && i < kEntries && rc == 0; ++i) {
        ts::store::AllowEntry e;
        e.domain = domainName(i);
        e.subdomains = coversSubdomains(i);
        e.added_by = "bench";
        e.note = "filled by allowlist_bench";
        e.created = 1'800'000'000;
        rc = ts::store::AllowlistStore::put(txn.get(), store_->dbs(), e);
      }
      if (rc == 0) rc = txn.commit();
      if (rc != 0) {
        fmt::print(stderr, "cannot fill the store: {}\n", ts::store::storeError(rc));
        std::abort();
      }
    }
  }

  std::string dir_;
  std::unique_ptr<ts::store::StoreEnvironment> store_;
};

std::vector<std::string> names(const char* kind) {
  std::mt19937_64 random(42);
  std::uniform_int_distribution<std::size_t> pick(0, kEntries - 1);
  std::vector<std::string> out;
  std::string k = kind;
  while (out.size() < kNames) {
    std::size_t i = pick(random);
    if (k == "hit") {
      out.push_back(domainName(i));
    } else if (k == "subdomain") {
      out.push_back("alerts." + domainName(i - i % 10));
    } else {
      out.push_back(fmt::format("unlisted{:07}.example.net", i));
    }
  }
  return out;
}

void BM_AllowlistFind(benchmark::State& state, const char* kind, bool want_entry) {
  const auto& store = FilledStore::get().env();
  std::vector<std::string> domains = names(kind);
  std::size_t next = 0, wrong = 0;
  ts::bench::LoopAllocations loop_allocations(state);
  for (auto _ : state) {
    ts::store::ReadTransaction txn(store);
    auto found = ts::store::AllowlistStore::find(txn.get(), store.dbs(), domains[next], 1);
    if (!found || found->has_value() != want_entry) ++wrong;
    benchmark::DoNotOptimize(found);
    next = (next + 1) % kNames;
  }
  if (wrong != 0) state.SkipWithError("a lookup gave the wrong answer");
  state.counters["entries"] = static_cast<double>(kEntries);
  state.counters["store_MiB"] = static_cast<double>(store.sizeOnDisk()) / (1 << 20);
}
BENCHMARK_CAPTURE(BM_AllowlistFind, hit, "hit", true);
BENCHMARK_CAPTURE(BM_AllowlistFind, miss, "miss", false);
BENCHMARK_CAPTURE(BM_AllowlistFind, subdomain_hit, "subdomain", true);

}  // namespace
