#include "checks/rdns/rdns_check.h"

namespace ts {

std::unique_ptr<CheckRun> RdnsCheck::start(const ClientContext&, dns::Resolver&,
                                           CheckDone done) const {
  CheckResult r;
  r.check = "rdns";
  r.outcome = Outcome::kPass;
  done(std::move(r));
  return std::make_unique<FinishedRun>();
}

}  // namespace ts
