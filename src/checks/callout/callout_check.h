// Sender verification by SMTP callout (Postfix's reject_unverified_sender, Exim's sender
// verify): ask the envelope sender's own mail server whether it would accept mail for
// the sender's address. A forged sender at a real domain is refused there, so we refuse
// it here, before the message costs a subscriber an SMS.
#pragma once

#include <memory>

#include "checks/callout/callout_config.h"
#include "checks/callout/callout_services.h"
#include "checks/check_run.h"
#include "checks/client_context.h"
#include "dns/resolver.h"

namespace ts {

class CalloutCheck {
 public:
  CalloutCheck(const CalloutConfig& config, CalloutServices& services)
      : config_(config), services_(services) {}

  // done runs exactly once unless the run is destroyed first, and is the last thing the
  // run does; it may run before start returns (null sender, a cached answer). Destroying
  // the run cancels its DNS queries and its probe. Outcomes:
  //   pass      the server accepts the sender, or accepts any address (accept-all: the
  //             detail says "not verifiable"); the null sender
  //   fail      5.1.7: the server refuses the sender with a 5xx; 5.7.27: null MX;
  //             5.1.8: the domain does not exist (score = the configured score)
  //   neutral   nothing can be verified: the server refuses the probe itself (5xx before
  //             RCPT), no IPv4 address for the mail server, one of our own domains, an
  //             address we will not put on the wire
  //   temperror 4.4.3: a DNS fault; 4.1.7: no answer, connection refused or lost, a 4xx,
  //             a protocol error, or the per-domain limits are reached (no probe made)
  // Cached: pass for positive_ttl, fail and the server's refusal for negative_ttl; never
  // a temperror.
  std::unique_ptr<CheckRun> start(const ClientContext& context, dns::Resolver& resolver,
                                  CheckDone done) const;

 private:
  CalloutConfig config_;
  CalloutServices& services_;
};

}  // namespace ts
