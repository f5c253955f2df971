// The DKIM check's one result over all of a message's signatures: the best outcome wins
// (pass, then temperror, fail, permerror, neutral), and the reason names the signature
// that decided it and what its signer's admin must fix. Kept apart from libopendkim so the
// wording can be tested without signing anything.
#pragma once

#include <string>
#include <vector>

#include "checks/dkim/dkim_check.h"
#include "policy/check_result.h"

namespace ts {

struct SignatureFinding {
  DkimSignature signature;
  // What the signer's admin should do, for the reply: "publish the key at ...". Empty for
  // a pass.
  std::string advice;
  long long body_length = -1;  // the l= tag, for the detail; -1 without one
};

// Enhanced codes (RFC 7372 for DKIM, RFC 3463): fail 5.7.20 "No passing DKIM signature
// found"; permerror 5.7.21 "No acceptable DKIM signature found"; temperror 4.4.3 (a
// directory server failure: the key lookup failed, like the DNS faults of the other
// checks); pass, neutral and none have none. The score is fail_score for fail only.
CheckResult dkimResult(const std::vector<SignatureFinding>& findings, double fail_score);

}  // namespace ts
