// The DMARC verdicts (RFC 7489 6.6.2 and 6.6.4) from what was found: pass when SPF or
// DKIM passed for an aligned domain, otherwise the published policy after sp= and pct=,
// each turned into the configured action and the words the sender's admin reads.
#pragma once

#include <string>
#include <string_view>

#include "checks/dmarc/dmarc_check.h"
#include "checks/dmarc/dmarc_record.h"
#include "dns/dns_answer.h"

namespace ts {

struct FoundPolicy {
  std::string from_domain;
  // Where the record was: the From: domain itself, or its Organizational Domain (then
  // sp= applies, RFC 7489 6.6.3 step 3).
  std::string record_domain;
  DmarcRecord record;
};

// sampled: whether this message falls within pct= (a draw the caller makes, so tests
// decide it; with pct=100 it is ignored, with pct=0 no message is sampled).
DmarcVerdict evaluateDmarc(const DmarcInput& input, const FoundPolicy& found,
                           const DmarcConfig& config, bool sampled);

// Is a message within pct=: no draw at 0 or 100, a uniform one in between.
bool sampledForPolicy(int pct);

// No record at either name, several records, or one libopendmarc could not read.
DmarcVerdict noPolicyVerdict(std::string from_domain, std::string_view why);
DmarcVerdict tempErrorVerdict(std::string from_domain, std::string_view looked_up,
                              dns::DnsStatus status, const DmarcConfig& config);
// No single From: domain; problem is fromDomain's plain-words error.
DmarcVerdict permErrorVerdict(std::string_view problem, const DmarcConfig& config);

}  // namespace ts
