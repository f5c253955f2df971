// A Resolver in front of another: answers from the DnsCache when it can, and lets checks
// asking the same name and type at once share one upstream query (postscreen's shared
// lookups: some clients open parallel connections).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "dns/dns_cache.h"
#include "dns/resolver.h"

namespace ts::dns {

// Lookups since start (STYLE.md 9), for status and metrics: answered from the cache,
// sent upstream, or joined to a query already in flight.
struct CacheLookupStats {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t joined = 0;
};

class CachingResolver final : public Resolver {
 public:
  CachingResolver(Resolver& upstream, CacheSettings settings, Clock clock);
  ~CachingResolver() override;
  CachingResolver(const CachingResolver&) = delete;
  CachingResolver& operator=(const CachingResolver&) = delete;

  // A cache hit calls back before returning, with kNoQuery.
  QueryId query(const std::string& name, ns_type type, DnsCallback callback) override;
  // Drops this caller only; the shared upstream query is cancelled when nobody is left.
  void cancel(QueryId id) override;

  std::vector<CacheEntry> list() const { return cache_.list(clock_()); }
  void clear() { cache_.clear(); }
  std::size_t inFlightCount() const { return in_flight_.size(); }
  std::size_t size() const { return cache_.size(); }
  const CacheLookupStats& stats() const { return stats_; }

 private:
  struct Waiter {
    QueryId id;
    DnsCallback callback;
  };
  struct InFlight {
    std::string name;
    ns_type type;
    QueryId upstream_id = kNoQuery;
    std::vector<Waiter> waiters;
  };

  void onUpstreamAnswer(const std::string& key, const DnsAnswer& answer);

  Resolver& upstream_;
  DnsCache cache_;
  Clock clock_;
  std::unordered_map<std::string, InFlight> in_flight_;
  std::unordered_map<QueryId, std::string> waiter_keys_;  // live waiter -> in-flight key
  QueryId next_id_ = 1;
  CacheLookupStats stats_;
};

}  // namespace ts::dns
