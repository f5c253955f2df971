// SPF (RFC 7208) with libspf2, for the MAIL FROM domain (the HELO name for the null
// sender). libspf2's own resolver blocks, so it gets a DNS layer that answers only from
// answers this check already fetched; a miss is fetched on the async Resolver and the
// evaluation runs again (DESIGN.md "Using libspf2 and libopendkim without blocking").
#pragma once

#include <memory>
#include <string>

#include "checks/check_run.h"
#include "checks/client_context.h"
#include "checks/spf/spf_config.h"
#include "dns/resolver.h"

namespace ts {

class SpfCheck {
 public:
  explicit SpfCheck(const SpfConfig& config);
  ~SpfCheck();
  SpfCheck(const SpfCheck&) = delete;
  SpfCheck& operator=(const SpfCheck&) = delete;

  // The domain SPF is evaluated for: the envelope sender's domain, or the HELO name for
  // the null sender (RFC 7208 section 2.4).
  static std::string domainOf(const ClientContext& context);

  // done runs exactly once unless the run is destroyed first; it may run before start
  // returns. Outcome: pass, fail, softfail, neutral, none, temperror or permerror.
  std::unique_ptr<CheckRun> start(const ClientContext& context, dns::Resolver& resolver,
                                  CheckDone done) const;

 private:
  SpfConfig config_;
};

}  // namespace ts
