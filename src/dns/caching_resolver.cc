// The cache decorator: hit, join an in-flight query, or start one. Waiters are tracked by
// id so one caller's cancel never disturbs the others sharing the same upstream query.
#include "dns/caching_resolver.h"

#include <algorithm>
#include <utility>

namespace ts::dns {

CachingResolver::CachingResolver(Resolver& upstream, CacheSettings settings, Clock clock)
    : upstream_(upstream), cache_(settings), clock_(std::move(clock)) {}

CachingResolver::~CachingResolver() {
  for (auto& [key, flight] : in_flight_) {
    if (flight.upstream_id != kNoQuery) upstream_.cancel(flight.upstream_id);
  }
}

QueryId CachingResolver::query(const std::string& name, ns_type type, DnsCallback callback) {
  if (auto cached = cache_.get(name, type, clock_())) {
    ++stats_.hits;
    callback(*cached);
    return kNoQuery;
  }
  std::string key = cacheKey(name, type);
  QueryId id = next_id_++;
  waiter_keys_.emplace(id, key);
  auto [it, fresh] = in_flight_.try_emplace(key, InFlight{name, type, kNoQuery, {}});
  it->second.waiters.push_back(Waiter{id, std::move(callback)});
  if (!fresh) {
    ++stats_.joined;
    return id;
  }
  ++stats_.misses;

  QueryId upstream_id =
      upstream_.query(name, type, [this, key](const DnsAnswer& a) { onUpstreamAnswer(key, a); });
  // The upstream may have answered already, ending the flight (and maybe a new one with
  // the same key started from inside a callback); only a flight still waiting takes the id.
  auto again = in_flight_.find(key);
  if (again != in_flight_.end() && again->second.upstream_id == kNoQuery &&
      waiter_keys_.count(id) != 0) {
    again->second.upstream_id = upstream_id;
  }
  return id;
}

void CachingResolver::cancel(QueryId id) {
  auto key_it = waiter_keys_.find(id);
  if (key_it == waiter_keys_.end()) return;
  std::string key = std::move(key_it->second);
  waiter_keys_.erase(key_it);
  auto it = in_flight_.find(key);
  if (it == in_flight_.end()) return;
  auto& waiters = it->second.waiters;
  // The upstream query goes on without waiters: its answer is cached when it comes (it is
  // bounded by the resolver's own timeout). A check that stops at its first answer (the
  // sender domain's MX) would otherwise cancel its A and AAAA queries every time, and
  // every message would ask DNS for them again.
  waiters.erase(
      std::remove_if(waiters.begin(), waiters.end(), [id](const Waiter& w) { return w.id == id; }),
      waiters.end());
}

void CachingResolver::onUpstreamAnswer(const std::string& key, const DnsAnswer& answer) {
  auto it = in_flight_.find(key);
  if (it == in_flight_.end()) return;
  InFlight flight = std::move(it->second);
  in_flight_.erase(it);
  cache_.put(flight.name, flight.type, answer, clock_());
  for (Waiter& waiter : flight.waiters) {
    // A callback may cancel a later waiter of the same flight (its session went away).
    if (waiter_keys_.erase(waiter.id) == 0) continue;
    waiter.callback(answer);
  }
}

}  // namespace ts::dns
