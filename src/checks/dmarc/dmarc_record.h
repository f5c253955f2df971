// A DMARC policy record (RFC 7489 6.3) as this check uses it: which TXT records are DMARC
// records, and the tags that decide a message (p, sp, adkim, aspf, pct), read by
// libopendmarc from a copy that holds only those tags (see dmarc_record.cc for why).
#pragma once

#include <string>
#include <string_view>

#include "checks/dmarc/organizational_domain.h"
#include "util/result.h"

namespace ts {

enum class DmarcPolicy { kNone, kQuarantine, kReject };

std::string_view policyName(DmarcPolicy policy);

struct DmarcRecord {
  DmarcPolicy p = DmarcPolicy::kNone;
  bool has_sp = false;  // without sp=, p applies to subdomains too
  DmarcPolicy sp = DmarcPolicy::kNone;
  Alignment adkim = Alignment::kRelaxed;
  Alignment aspf = Alignment::kRelaxed;
  int pct = 100;
};

// opendmarc_policy_library_init, once per process; parseDmarcRecord calls it too.
void initDmarcRecordParser();

// RFC 7489 6.6.3 step 2: a TXT record counts only when it starts with the version tag
// ("v=DMARC1", whitespace allowed around "="); others at _dmarc names are ignored.
bool isDmarcRecord(std::string_view txt);

// The record's policy; the error names what libopendmarc found wrong (no p=, a p= or sp=
// it does not know). domain is the From: domain the record is applied to.
Result<DmarcRecord> parseDmarcRecord(std::string_view txt, std::string_view domain);

}  // namespace ts
