// The one door to DNS that the checks see. Implementations: AresResolver (the network)
// and CachingResolver (a TTL cache in front of another Resolver); tests script their own.
#pragma once

#include <arpa/nameser.h>

#include <cstdint>
#include <functional>
#include <string>

#include "dns/dns_answer.h"

namespace ts::dns {

// Identifies one outstanding query so its owner can cancel it. 0 is never a live query.
using QueryId = std::uint64_t;
inline constexpr QueryId kNoQuery = 0;

using DnsCallback = std::function<void(const DnsAnswer&)>;

class Resolver {
 public:
  virtual ~Resolver() = default;

  // Starts a lookup of name (no trailing dot needed) for type A, AAAA, PTR, TXT or MX.
  // The callback runs exactly once unless cancelled; it may run before query() returns
  // (a cache hit, a name that cannot be sent), and then the returned id is already spent.
  virtual QueryId query(const std::string& name, ns_type type, DnsCallback callback) = 0;

  // After cancel the callback is never called, so a session that goes away can drop its
  // lookups. Cancelling a spent or unknown id does nothing.
  virtual void cancel(QueryId id) = 0;
};

}  // namespace ts::dns
