// The bulk fingerprint the daemon computes for every message body (a 2 KB text with
// numbers and URLs), and ClusterIndex::assign against a warm index of 10,000 clusters:
// a variant of a known campaign (found through the bands) and a new text (a new cluster,
// which evicts the least recently used one).
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "allocation_counter.h"
#include "checks/fingerprint/body_fingerprint.h"
#include "checks/fingerprint/cluster_index.h"

namespace {

constexpr std::size_t kClusters = 10'000;
// Pools are larger than the index, so cycling through them never finds a text the index
// still holds by its exact hash.
constexpr std::size_t kPool = 16'384;

const char* const kVocabulary[] = {
    "your",    "account", "payment", "parcel",  "server", "alert",    "reminder", "delivery",
    "pending", "please",  "confirm", "within",  "hours",  "contact",  "support",  "today",
    "order",   "status",  "update",  "service", "outage", "resolved", "ticket",   "appointment",
    "balance", "due",     "verify",  "login",   "code",   "expires",  "shipment", "driver",
    "route",   "library", "hold",    "ready",   "court",  "date",     "pharmacy", "refill",
    "school",  "closed",  "weather", "warning", "flood",  "power",    "restored", "crew"};

std::string randomText(std::mt19937_64& rng, std::size_t words) {
  std::uniform_int_distribution<std::size_t> pick(0, std::size(kVocabulary) - 1);
  std::string text;
  for (std::size_t i = 0; i < words; ++i) {
    if (i != 0) text += i % 9 == 0 ? ". " : " ";
    text += kVocabulary[pick(rng)];
    if (i % 7 == 3) text += fmt::format(" {}", rng() % 100000);
  }
  return text;
}

std::string twoKilobyteBody() {
  std::string text;
  int line = 0;
  while (text.size() < 2048) {
    text += fmt::format(
        "Dear customer {}, your order #{} of ${}.{:02} is waiting at "
        "https://track.shop.example/o/{}?ref=sms{} . Call 555-010-{:04} for help.\r\n",
        line, 40000 + line * 37, line * 3, line % 100, line * 7919, line, line * 13 % 10000);
    ++line;
  }
  return text.substr(0, 2048);
}

void BM_FingerprintBody(benchmark::State& state) {
  std::string text = twoKilobyteBody();
  ts::bench::LoopAllocations loop_allocations(state);
  for (auto _ : state) {
    ts::BodyFingerprint fp = ts::fingerprintBody(text);
    benchmark::DoNotOptimize(fp);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_FingerprintBody);

// Arg 0: a variant of a known cluster (LSH bands, then the similarity check). Arg 1: a
// text unlike any held (a new cluster, evicting the least recently assigned).
void BM_ClusterAssign(benchmark::State& state) {
  std::mt19937_64 rng(42);
  std::vector<std::string> known;
  ts::ClusterIndex index(kClusters, 0.6);
  for (std::size_t i = 0; i < kClusters; ++i) {
    known.push_back(randomText(rng, 40));
    index.assign(ts::fingerprintBody(known.back()));
  }
  std::vector<ts::BodyFingerprint> pool;
  pool.reserve(kPool);
  for (std::size_t i = 0; i < kPool; ++i) {
    if (state.range(0) == 0) {
      // The same text with its last words changed: similar, never equal.
      std::string variant = known[i % kClusters];
      variant += " " + randomText(rng, 2);
      pool.push_back(ts::fingerprintBody(variant));
    } else {
      pool.push_back(ts::fingerprintBody(randomText(rng, 40)));
    }
  }
  std::size_t next = 0;
  std::uint64_t round = 0;
  ts::bench::LoopAllocations loop_allocations(state);
  for (auto _ : state) {
    ts::BodyFingerprint fp = pool[next];
    // A fresh exact hash each round keeps a variant off the exact-hash shortcut, so every
    // iteration measures the band lookup.
    if (state.range(0) == 0) fp.exact ^= round * 0x9e3779b97f4a7c15ULL;
    benchmark::DoNotOptimize(index.assign(fp));
    if (++next == kPool) {
      next = 0;
      ++round;
    }
  }
  state.counters["clusters"] = static_cast<double>(index.size());
}
BENCHMARK(BM_ClusterAssign)->ArgName("new")->Arg(0)->Arg(1);

}  // namespace
