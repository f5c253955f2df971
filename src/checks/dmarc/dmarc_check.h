// DMARC (RFC 7489): the From: domain's policy, found at _dmarc.<domain> or at its
// organisational domain (Public Suffix List via libpsl), applied when neither SPF nor
// DKIM passed for an aligned domain. libopendmarc reads the records this check fetched
// with the async Resolver (its own lookup, which blocks, is never called); alignment is
// judged with libpsl, because libopendmarc's is wrong (see dmarc_evaluation.cc).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "checks/check_run.h"
#include "checks/dkim/dkim_check.h"
#include "checks/dmarc/dmarc_config.h"
#include "dns/resolver.h"
#include "policy/action.h"
#include "policy/check_result.h"

namespace ts {

struct DmarcInput {
  std::string_view message;  // read for its From: header; valid until done or destroy
  std::string spf_domain;    // the envelope domain SPF judged; empty for the null sender
  Outcome spf = Outcome::kNone;
  std::vector<DkimSignature> dkim;
};

struct DmarcVerdict {
  // pass (aligned SPF or DKIM pass), fail (policy in detail), none (no policy record),
  // temperror (DNS fault), permerror (no single From: domain to judge).
  CheckResult result;
  Action action = Action::kOff;  // what the configuration makes of this result
  std::string from_domain;
  // none, quarantine or reject: as applied to a fail (after sp= and pct=), as published
  // for a pass (for the Authentication-Results comment); empty without a usable record.
  std::string policy;
};

using DmarcDone = std::function<void(DmarcVerdict)>;

class DmarcCheck {
 public:
  explicit DmarcCheck(const DmarcConfig& config);
  ~DmarcCheck();
  DmarcCheck(const DmarcCheck&) = delete;
  DmarcCheck& operator=(const DmarcCheck&) = delete;

  // done runs exactly once unless the run is destroyed first; it may run before start
  // returns.
  std::unique_ptr<CheckRun> start(const DmarcInput& input, dns::Resolver& resolver,
                                  DmarcDone done) const;

 private:
  DmarcConfig config_;
};

}  // namespace ts
