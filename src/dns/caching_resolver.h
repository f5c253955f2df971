// A Resolver in front of another: answers from the DnsCache when it can, and lets checks
// asking the same name and type at once share one upstream query (postscreen's shared
// lookups: some clients open parallel connections).
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "dns/dns_cache.h"
#include "dns/resolver.h"

namespace ts::dns {

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
};

}  // namespace ts::dns
