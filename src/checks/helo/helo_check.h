// The HELO/EHLO argument judged by its syntax (RFC 5321 section 4.1.1.1, RFC 1035 labels):
// a host name with at least one dot, or an address literal that is the client's own
// address; never a bare IP address and never this server's own name. A name that passes
// must also resolve: an A, AAAA or MX record (Postfix's reject_unknown_helo_hostname).
#pragma once

#include <memory>

#include "checks/check_run.h"
#include "checks/client_context.h"
#include "checks/helo/helo_config.h"
#include "dns/resolver.h"
#include "policy/check_result.h"

namespace ts {

class HeloCheck {
 public:
  explicit HeloCheck(const HeloConfig& config) : config_(config) {}
  // The syntax part alone: no DNS.
  CheckResult evaluate(const ClientContext& context) const;
  // Syntax, then for a host name that passes it the DNS lookups (A, AAAA and MX at once;
  // any record passes, a null MX does not count; none fails with 5.7.1 and the configured
  // score; a DNS fault with no record is a temperror, 4.7.1). An address literal needs no
  // DNS. done runs exactly once unless the run is destroyed first; it may run before start
  // returns.
  std::unique_ptr<CheckRun> start(const ClientContext& context, dns::Resolver& resolver,
                                  CheckDone done) const;

 private:
  HeloConfig config_;
};

}  // namespace ts
