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
  // The sites grouped by zone (each zone is asked once), shared with the runs so a run
  // may outlive the check (a reload while a client is being screened).
  struct Plan;

  explicit DnsblCheck(const DnsblConfig& config);
  bool enabled() const { return !config_.sites.empty() && config_.action != Action::kOff; }
  // done runs exactly once unless the run is destroyed first; it may run before start
  // returns (cached answers). Outcomes: fail (5.7.1, listed at or above the threshold,
  // score = the summed weight), temperror (4.4.3, a list that could not be asked could
  // have changed the verdict), pass (score 0).
  std::unique_ptr<CheckRun> start(const ClientContext& context, dns::Resolver& resolver,
                                  CheckDone done) const;

 private:
  DnsblConfig config_;
  std::shared_ptr<const Plan> plan_;
};

}  // namespace ts
