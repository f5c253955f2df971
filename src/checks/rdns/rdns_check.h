// Reverse DNS of the client (Postfix's reject_unknown_client_hostname): the address must
// have a PTR record, and one of the PTR names must resolve back to the address (FCrDNS).
// Anyone can write any PTR for their own addresses; only the forward confirmation shows
// the name's owner agrees.
#pragma once

#include <memory>

#include "checks/check_run.h"
#include "checks/client_context.h"
#include "checks/rdns/rdns_config.h"
#include "dns/resolver.h"

namespace ts {

class RdnsCheck {
 public:
  explicit RdnsCheck(const RdnsConfig& config) : config_(config) {}
  // done runs exactly once unless the run is destroyed first; it may run before start
  // returns (cached answers). Outcomes: pass (the confirmed name is in the reason and the
  // detail), fail (5.7.25, RFC 7372: no PTR, or no PTR name resolves back; score = the
  // configured score), temperror (4.7.25: a DNS fault on the way and no confirmation).
  std::unique_ptr<CheckRun> start(const ClientContext& context, dns::Resolver& resolver,
                                  CheckDone done) const;

 private:
  RdnsConfig config_;
};

}  // namespace ts
