// DNS lists (RFC 5782) with weights and return-code filters, like Postfix's postscreen:
// every configured zone is asked at once for the client's reversed address, the weights
// of the zones that list it (by a configured return code) are summed, and a sum at or
// above the threshold fails the client. Allow lists have negative weights and rescue a
// client another list names.
#pragma once

#include <memory>

#include "checks/check_run.h"
#include "checks/client_context.h"
#include "checks/dnsbl/dnsbl_config.h"
#include "dns/resolver.h"

namespace ts {

class DnsblCheck {
 public:
  explicit DnsblCheck(const DnsblConfig& config) : config_(config) {}
  bool enabled() const { return !config_.sites.empty() && config_.action != Action::kOff; }
  // done runs exactly once unless the run is destroyed first; it may run before start
  // returns (cached answers).
  std::unique_ptr<CheckRun> start(const ClientContext& context, dns::Resolver& resolver,
                                  CheckDone done) const;

 private:
  DnsblConfig config_;
};

}  // namespace ts
