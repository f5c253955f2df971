// The screening checks' descriptions point into this Runtime's check objects, which is
// why a Runtime is never copied and sessions hold it by shared_ptr.
#include "daemon/runtime.h"

namespace ts {

Runtime::Runtime(Config c, std::shared_ptr<dns::ResolverStack> dns_stack,
                 CalloutServices* callout_services, SessionSecurity session_security)
    : config(std::move(c)),
      numbers(config.default_region, config.number_cache_size),
      recipients(config.gateway_domains, config.postmaster_address, numbers),
      decisions(config.reject_score),
      helo(config.helo),
      pregreet(config.pregreet),
      rdns(config.rdns),
      dnsbl(config.dnsbl),
      sender_domain(config.sender_domain),
      spf(config.spf),
      dkim(config.dkim),
      dmarc(config.dmarc),
      headers(config.headers),
      content(config.content),
      callout(callout_services && config.callout.action != Action::kOff
                  ? std::optional<CalloutCheck>(std::in_place, config.callout, *callout_services)
                  : std::nullopt),
      dns(std::move(dns_stack)),
      security(std::move(session_security)),
      connect_checks(connectChecks()),
      helo_check(heloCheck()),
      sender_checks(senderChecks()),
      callout_check(calloutCheck()) {}

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

std::vector<ScreeningCheck> Runtime::senderChecks() const {
  std::vector<ScreeningCheck> checks;
  if (config.sender_domain.action != Action::kOff) {
    checks.push_back(ScreeningCheck{
        "sender_domain", "sender domain", config.sender_domain.timeout,
        OutcomeActions::uniform(config.sender_domain.action, config.sender_domain.temperror_action),
        [this](const ClientContext& ctx, dns::Resolver& r, CheckDone done) {
          return sender_domain.start(ctx, r, std::move(done));
        }});
  }
  // SPF always runs: its pass is what lets an allowlisted sender be trusted and what DMARC
  // and the Authentication-Results header report, whatever its actions are.
  checks.push_back(
      ScreeningCheck{"spf", "SPF", config.spf.timeout, config.spf.actions,
                     [this](const ClientContext& ctx, dns::Resolver& r, CheckDone done) {
                       return spf.start(ctx, r, std::move(done));
                     }});
  return checks;
}

std::optional<ScreeningCheck> Runtime::calloutCheck() const {
  if (!callout) return std::nullopt;
  return ScreeningCheck{
      "callout", "sender verification", config.callout.timeout,
      OutcomeActions::uniform(config.callout.action, config.callout.temperror_action),
      [this](const ClientContext& ctx, dns::Resolver& r, CheckDone done) {
        return callout->start(ctx, r, std::move(done));
      }};
}

std::optional<ScreeningCheck> Runtime::heloCheck() const {
  if (config.helo.action == Action::kOff) return std::nullopt;
  return ScreeningCheck{"helo", "HELO name", config.helo.timeout,
                        OutcomeActions::uniform(config.helo.action, config.helo.temperror_action),
                        [this](const ClientContext& ctx, dns::Resolver& r, CheckDone done) {
                          return helo.start(ctx, r, std::move(done));
                        }};
}

}  // namespace ts
