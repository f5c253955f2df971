// Steady clock for the cache: TTLs count real seconds, whatever the wall clock does.
#include "dns/resolver_stack.h"

namespace ts::dns {

Result<std::shared_ptr<ResolverStack>> ResolverStack::create(event_base* base,
                                                             const DnsConfig& config) {
  auto network = AresResolver::create(base, config.resolver);
  if (!network) return fail(network.error());
  std::shared_ptr<ResolverStack> stack(new ResolverStack());
  stack->config_ = config;
  stack->network_ = std::move(*network);
  stack->cache_ = std::make_unique<CachingResolver>(
      *stack->network_, config.cache, [] { return std::chrono::steady_clock::now(); });
  return stack;
}

}  // namespace ts::dns
