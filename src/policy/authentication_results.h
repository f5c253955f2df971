// The Authentication-Results header (RFC 8601) textscreen adds to relayed mail, so the
// gateway and the subscriber's side can see what SPF, DKIM and DMARC said, and the
// removal of any such header that claims our authserv-id: only we may speak for it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "checks/dkim/dkim_check.h"
#include "policy/check_result.h"

namespace ts {

struct AuthenticationSummary {
  std::string authserv_id;  // our hostname
  Outcome spf = Outcome::kNone;
  std::string spf_domain;  // smtp.mailfrom's domain, or the HELO name for the null sender
  bool spf_for_helo = false;
  std::vector<DkimSignature> dkim;
  Outcome dmarc = Outcome::kNone;
  std::string dmarc_from_domain;
  std::string dmarc_policy;
};

// "Authentication-Results: <id>;\r\n\tspf=pass smtp.mailfrom=...;\r\n\tdkim=..." ending
// in CRLF, folded so no line exceeds 78 characters where possible.
std::string authenticationResultsHeader(const AuthenticationSummary& summary);

// The message without header fields named Authentication-Results whose authserv-id is
// ours (compared without case, after optional CFWS and an optional version); others stay.
std::string removeForgedAuthenticationResults(std::string_view message,
                                              std::string_view authserv_id);

}  // namespace ts
