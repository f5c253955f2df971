// The DNS side of screening one connection: the TTL cache's hit and miss paths, and a full
// pass of the connect and EHLO checks (rdns, dnsbl, helo) over a resolver that answers at
// once, so the figures are the checks' and the cache's own CPU cost, without the network.
#include <benchmark/benchmark.h>
#include <event2/event.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "allocation_counter.h"
#include "checks/client_context.h"
#include "checks/client_screening.h"
#include "config/config.h"
#include "daemon/runtime.h"
#include "dns/caching_resolver.h"
#include "dns/dns_answer.h"
#include "dns/resolver.h"
#include "obs/check_stats.h"
#include "policy/decision.h"

namespace {

using ts::dns::DnsAnswer;
using ts::dns::DnsStatus;

// Long enough that nothing expires during a run, as for a busy sender's names.
constexpr std::chrono::seconds kTtl{3600};
// Hit lookups cycle through this many different names, so the benchmark does not measure
// one hash bucket and one list node that stay in the CPU cache.
constexpr std::size_t kHitNames = 4096;
// A pass that needs more loop turns than this to settle is waiting on something the
// scripted resolver never answers: an error, not a slow pass.
constexpr int kMaxLoopTurns = 100;

DnsAnswer answer(DnsStatus status, std::vector<std::string> records = {}) {
  return DnsAnswer{status, std::move(records), kTtl};
}

// Answers every query before query() returns, as a cache hit does, from a script keyed by
// name and type; anything unscripted gets the fallback (NXDOMAIN unless set) and, when there
// is a script, is counted, so a check that starts asking new questions shows up in the
// counters instead of passing silently.
class ScriptedResolver final : public ts::dns::Resolver {
 public:
  void script(const std::string& name, ns_type type, DnsAnswer a) {
    auto& types = answers_[name];
    for (auto& [t, scripted] : types) {
      if (t == type) {
        scripted = std::move(a);
        return;
      }
    }
    types.emplace_back(type, std::move(a));
  }
  void setFallback(DnsAnswer a) { fallback_ = std::move(a); }

  ts::dns::QueryId query(const std::string& name, ns_type type,
                         ts::dns::DnsCallback callback) override {
    ++queries;
    const DnsAnswer* found = nullptr;
    if (auto it = answers_.find(name); it != answers_.end()) {
      for (const auto& [t, scripted] : it->second) {
        if (t == type) found = &scripted;
      }
    }
    if (found == nullptr) {
      if (!answers_.empty()) ++unscripted;
      found = &fallback_;
    }
    callback(*found);
    // Already spent, as the Resolver contract allows for an answer given inside query().
    return next_id_++;
  }
  void cancel(ts::dns::QueryId) override {}

  std::uint64_t queries = 0;
  std::uint64_t unscripted = 0;

 private:
  // Keyed by name alone so a lookup builds no key string: the scripted answer should cost
  // next to nothing beside the checks it feeds.
  std::unordered_map<std::string, std::vector<std::pair<ns_type, DnsAnswer>>> answers_;
  DnsAnswer fallback_ = answer(DnsStatus::kNxDomain);
  ts::dns::QueryId next_id_ = 1;
};

ts::dns::Clock realClock() {
  return [] { return std::chrono::steady_clock::now(); };
}

std::string hostName(std::size_t i) {
  return fmt::format("host{:06}.bench.example", i);
}

// range(0): names in the cache. Every lookup is a hit: the daemon's path for a sender
// seen within the TTL.
void BM_DnsCacheHit(benchmark::State& state) {
  const auto entries = static_cast<std::size_t>(state.range(0));
  ScriptedResolver upstream;
  upstream.setFallback(answer(DnsStatus::kOk, {"192.0.2.25"}));
  ts::dns::CachingResolver cache(upstream, ts::dns::CacheSettings{entries, {}, kTtl}, realClock());
  std::uint64_t got = 0;
  auto count = [&got](const DnsAnswer& a) { got += a.records.size(); };
  for (std::size_t i = 0; i < entries; ++i) cache.query(hostName(i), ns_t_a, count);

  std::mt19937_64 random(42);
  std::uniform_int_distribution<std::size_t> pick(0, entries - 1);
  std::vector<std::string> names;
  for (std::size_t i = 0; i < kHitNames; ++i) names.push_back(hostName(pick(random)));

  const std::uint64_t filled = upstream.queries;
  got = 0;
  std::size_t next = 0;
  ts::bench::LoopAllocations loop_allocations(state);
  for (auto _ : state) {
    cache.query(names[next], ns_t_a, count);
    next = (next + 1) % kHitNames;
  }
  const auto iterations = static_cast<std::uint64_t>(state.iterations());
  if (upstream.queries != filled || got != iterations) {
    state.SkipWithError("a lookup missed the cache or was not answered");
  }
  state.counters["entries"] = static_cast<double>(entries);
}
BENCHMARK(BM_DnsCacheHit)->ArgName("entries")->Arg(1'000)->Arg(100'000);

// range(0): the cache's size bound. The names cycle through twice as many as fit, so with
// LRU every lookup misses: the upstream query, the put and the eviction of the oldest
// entry, the steady state of a full cache under new senders.
void BM_DnsCacheMiss(benchmark::State& state) {
  const auto capacity = static_cast<std::size_t>(state.range(0));
  ScriptedResolver upstream;
  upstream.setFallback(answer(DnsStatus::kOk, {"192.0.2.25"}));
  ts::dns::CachingResolver cache(upstream, ts::dns::CacheSettings{capacity, {}, kTtl}, realClock());
  std::vector<std::string> names;
  for (std::size_t i = 0; i < 2 * capacity; ++i) names.push_back(hostName(i));
  std::uint64_t got = 0;
  auto count = [&got](const DnsAnswer& a) { got += a.records.size(); };
  // One round first, so the timed loop starts with a full cache and evicts on every put.
  for (const std::string& name : names) cache.query(name, ns_t_a, count);

  const std::uint64_t before = upstream.queries;
  got = 0;
  std::size_t next = 0;
  ts::bench::LoopAllocations loop_allocations(state);
  for (auto _ : state) {
    cache.query(names[next], ns_t_a, count);
    next = (next + 1) % names.size();
  }
  const auto iterations = static_cast<std::uint64_t>(state.iterations());
  if (upstream.queries - before != iterations || got != iterations) {
    state.SkipWithError("a lookup hit the cache or was not answered");
  }
  state.counters["entries"] = static_cast<double>(capacity);
}
BENCHMARK(BM_DnsCacheMiss)->ArgName("entries")->Arg(1'000)->Arg(100'000);

constexpr const char* kClient = "192.0.2.10";
constexpr const char* kHelo = "mail.bench.example";
constexpr const char* kListedText = "Listed by zen.bench.example, see https://zen.bench.example/q";

// What a well-configured sender's DNS says: FCrDNS holds, the HELO name has an A record,
// and no list names it, or (listed) the positive-weight list does, with its TXT hint.
void scriptClient(ScriptedResolver& r, bool listed) {
  r.script("10.2.0.192.in-addr.arpa", ns_t_ptr, answer(DnsStatus::kOk, {kHelo}));
  r.script(kHelo, ns_t_a, answer(DnsStatus::kOk, {kClient}));
  r.script(kHelo, ns_t_aaaa, answer(DnsStatus::kNoData));
  r.script(kHelo, ns_t_mx, answer(DnsStatus::kNoData));
  for (const char* zone : {"zen.bench.example", "wl.bench.example"}) {
    std::string name = fmt::format("10.2.0.192.{}", zone);
    r.script(name, ns_t_a, answer(DnsStatus::kNxDomain));
    r.script(name, ns_t_txt, answer(DnsStatus::kNxDomain));
  }
  if (listed) {
    r.script("10.2.0.192.zen.bench.example", ns_t_a, answer(DnsStatus::kOk, {"127.0.0.2"}));
    r.script("10.2.0.192.zen.bench.example", ns_t_txt, answer(DnsStatus::kOk, {kListedText}));
  }
}

std::unique_ptr<ts::Runtime> benchRuntime() {
  ts::Invocation inv;
  inv.overrides = {"rdns_action=reject", "helo_action=reject",
                   "dnsbl_sites=zen.bench.example*3, wl.bench.example*-2", "dnsbl_action=reject"};
  auto config = ts::loadConfig(inv);
  if (!config) {
    fmt::print(stderr, "cannot load the bench configuration: {}\n", config.error().message);
    std::abort();
  }
  // The stack is only stored by the Runtime; the checks get the resolver passed to the
  // screening, which is the scripted one here.
  return std::make_unique<ts::Runtime>(std::move(*config), nullptr, nullptr);
}

// A failing check logs a line per pass, as in the daemon; the write stays in the measured
// cost but goes to /dev/null rather than flooding the terminal.
class StderrToDevNull {
 public:
  StderrToDevNull() : saved_(dup(STDERR_FILENO)) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, STDERR_FILENO);
    close(null);
  }
  ~StderrToDevNull() {
    dup2(saved_, STDERR_FILENO);
    close(saved_);
  }
  StderrToDevNull(const StderrToDevNull&) = delete;
  StderrToDevNull& operator=(const StderrToDevNull&) = delete;

 private:
  int saved_;
};

// One connection's screening, from the ClientScreening's creation to collect(): what a
// session does between accept and its first RCPT, minus the SMTP conversation.
void BM_ConnectionChecks(benchmark::State& state, bool listed, bool cached) {
  auto runtime = benchRuntime();
  ScriptedResolver scripted;
  scriptClient(scripted, listed);
  ts::dns::CachingResolver cache(scripted, ts::dns::CacheSettings{}, realClock());
  ts::dns::Resolver& resolver =
      cached ? static_cast<ts::dns::Resolver&>(cache) : static_cast<ts::dns::Resolver&>(scripted);
  event_base* base = event_base_new();
  ts::CheckStatsTable stats;

  ts::ClientContext context;
  context.peer = *ts::SocketAddress::parse(fmt::format("{}:49152", kClient));
  context.helo = kHelo;
  context.our_hostname = "mx.example";
  context.our_domains = {"sms.example.net"};

  std::vector<ts::CheckResult> results;
  std::vector<ts::Proposal> proposals;
  std::string wrong;
  auto pass = [&] {
    ts::ClientScreening screening(base, resolver, stats, "ts-bench");
    for (const ts::ScreeningCheck& check : runtime->connect_checks) screening.start(check, context);
    if (runtime->helo_check) screening.start(*runtime->helo_check, context);
    bool settled = false;
    screening.whenSettled([&settled] { settled = true; });
    for (int turn = 0; !settled && turn < kMaxLoopTurns; ++turn) {
      event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
    }
    results.clear();
    proposals.clear();
    if (!settled) {
      wrong = "the checks did not settle";
      return;
    }
    screening.collect(results, proposals);
  };

  StderrToDevNull quiet;
  // The cached variant's first pass fills the cache; the timed ones are all hits.
  pass();
  const std::uint64_t before = scripted.queries;
  ts::bench::LoopAllocations loop_allocations(state);
  for (auto _ : state) {
    pass();
    benchmark::DoNotOptimize(proposals.data());
  }

  std::size_t expected = runtime->connect_checks.size() + (runtime->helo_check ? 1 : 0);
  if (wrong.empty() && results.size() != expected) wrong = "a check gave no result";
  for (const ts::CheckResult& r : results) {
    bool refuse = listed && r.check == "dnsbl";
    if (wrong.empty() && (r.outcome == ts::Outcome::kFail) != refuse) {
      wrong = fmt::format("{}: {} ({})", r.check, ts::outcomeName(r.outcome), r.detail);
    }
  }
  if (!wrong.empty()) state.SkipWithError(wrong.c_str());
  state.counters["checks"] = static_cast<double>(results.size());
  // Per pass: every lookup the checks make when direct, and 0 when all hit the cache.
  state.counters["upstream_queries"] = benchmark::Counter(
      static_cast<double>(scripted.queries - before), benchmark::Counter::kAvgIterations);
  state.counters["unscripted"] = static_cast<double>(scripted.unscripted);
  event_base_free(base);
}
BENCHMARK_CAPTURE(BM_ConnectionChecks, clean, false, false);
BENCHMARK_CAPTURE(BM_ConnectionChecks, listed, true, false);
BENCHMARK_CAPTURE(BM_ConnectionChecks, cached_clean, false, true);
BENCHMARK_CAPTURE(BM_ConnectionChecks, cached_listed, true, true);

}  // namespace
