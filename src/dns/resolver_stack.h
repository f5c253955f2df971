// The daemon's DNS: the c-ares resolver with the TTL cache in front, built from the dns_*
// keys. Shared by every Runtime whose dns_* keys are the same, so a reload that changes
// other keys keeps the cache; sessions keep theirs alive while their lookups run.
#pragma once

#include <event2/event.h>

#include <memory>

#include "dns/ares_resolver.h"
#include "dns/caching_resolver.h"
#include "dns/dns_config.h"
#include "util/result.h"

namespace ts::dns {

class ResolverStack {
 public:
  static Result<std::shared_ptr<ResolverStack>> create(event_base* base, const DnsConfig& config);

  Resolver& resolver() { return *cache_; }
  CachingResolver& cache() { return *cache_; }
  const DnsConfig& config() const { return config_; }

 private:
  ResolverStack() = default;

  DnsConfig config_;
  std::unique_ptr<AresResolver> network_;
  std::unique_ptr<CachingResolver> cache_;  // declared last: destroyed first, it cancels
};

}  // namespace ts::dns
