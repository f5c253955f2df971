#include "checks/dnsbl/dnsbl_check.h"

namespace ts {

std::unique_ptr<CheckRun> DnsblCheck::start(const ClientContext&, dns::Resolver&,
                                            CheckDone done) const {
  CheckResult r;
  r.check = "dnsbl";
  r.outcome = Outcome::kPass;
  done(std::move(r));
  return std::make_unique<FinishedRun>();
}

}  // namespace ts
