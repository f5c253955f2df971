#include "checks/sender_domain/sender_domain_check.h"

namespace ts {

std::unique_ptr<CheckRun> SenderDomainCheck::start(const ClientContext&, dns::Resolver&,
                                                   CheckDone done) const {
  CheckResult r;
  r.check = "sender_domain";
  r.outcome = Outcome::kPass;
  done(std::move(r));
  return std::make_unique<FinishedRun>();
}

}  // namespace ts
