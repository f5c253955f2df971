// The envelope sender's domain must be able to receive mail (Postfix's
// reject_unknown_sender_domain): it has an MX, or an A/AAAA as the implicit MX (RFC 5321
// section 5.1). A null MX (RFC 7505) or a domain that does not exist cannot take the
// bounce, so the sender is refused; a DNS fault is a temperror.
#pragma once

#include <memory>

#include "checks/check_run.h"
#include "checks/client_context.h"
#include "checks/sender_domain/sender_domain_config.h"
#include "dns/resolver.h"

namespace ts {

class SenderDomainCheck {
 public:
  explicit SenderDomainCheck(const SenderDomainConfig& config) : config_(config) {}
  // The null sender passes at once. done runs exactly once unless the run is destroyed
  // first; it may run before start returns.
  std::unique_ptr<CheckRun> start(const ClientContext& context, dns::Resolver& resolver,
                                  CheckDone done) const;

 private:
  SenderDomainConfig config_;
};

}  // namespace ts
