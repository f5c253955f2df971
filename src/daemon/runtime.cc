// The screening checks' descriptions point into this Runtime's check objects, which is
// why a Runtime is never copied and sessions hold it by shared_ptr.
#include "daemon/runtime.h"

namespace ts {

Runtime::Runtime(Config c, std::shared_ptr<dns::ResolverStack> dns_stack)
    : config(std::move(c)),
      numbers(config.default_region, config.number_cache_size),
      recipients(config.gateway_domains, config.postmaster_address, numbers),
      decisions(config.reject_score),
      helo(config.helo),
      pregreet(config.pregreet),
      rdns(config.rdns),
      dnsbl(config.dnsbl),
      dns(std::move(dns_stack)),
      connect_checks(connectChecks()),
      helo_check(heloCheck()) {}

bool Runtime::isTrusted(const SocketAddress& peer) const {
  for (const Cidr& n : config.trusted_networks) {
    if (n.contains(peer)) return true;
  }
  return false;
}

std::vector<ScreeningCheck> Runtime::connectChecks() const {
  std::vector<ScreeningCheck> checks;
  if (config.rdns.action != Action::kOff) {
    checks.push_back(
        ScreeningCheck{"rdns", "reverse DNS", config.rdns.timeout,
                       OutcomeActions::uniform(config.rdns.action, config.rdns.temperror_action),
                       [this](const ClientContext& ctx, dns::Resolver& r, CheckDone done) {
                         return rdns.start(ctx, r, std::move(done));
                       }});
  }
  if (dnsbl.enabled()) {
    checks.push_back(
        ScreeningCheck{"dnsbl", "DNS list", config.dnsbl.timeout,
                       OutcomeActions::uniform(config.dnsbl.action, config.dnsbl.temperror_action),
                       [this](const ClientContext& ctx, dns::Resolver& r, CheckDone done) {
                         return dnsbl.start(ctx, r, std::move(done));
                       }});
  }
  return checks;
}

std::optional<ScreeningCheck> Runtime::heloCheck() const {
  if (config.helo.action == Action::kOff) return std::nullopt;
  return ScreeningCheck{"helo",
                        "HELO name",
                        config.helo.timeout,
                        OutcomeActions::uniform(config.helo.action, config.helo.temperror_action),
                        [this](const ClientContext& ctx, dns::Resolver& r, CheckDone done) {
                          return helo.start(ctx, r, std::move(done));
                        }};
}

}  // namespace ts
