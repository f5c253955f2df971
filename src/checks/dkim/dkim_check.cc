#include "checks/dkim/dkim_check.h"

namespace ts {

struct DkimCheck::Library {};

DkimCheck::DkimCheck(const DkimConfig& config) : config_(config) {}
DkimCheck::~DkimCheck() = default;

std::unique_ptr<CheckRun> DkimCheck::start(std::string_view, dns::Resolver&, DkimDone done) const {
  DkimVerdict v;
  v.result.check = "dkim";
  v.result.outcome = Outcome::kNone;
  done(std::move(v));
  return std::make_unique<FinishedRun>();
}

}  // namespace ts
