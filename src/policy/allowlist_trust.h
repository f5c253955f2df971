// When an allowlist entry makes a sender trusted (DESIGN.md invariant 7): only when the
// sender is authenticated for the entry's domain, by SPF for the envelope domain or a
// DKIM signature whose d= is aligned. A forged From of an allowlisted business gets no
// free pass.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "store/records.h"

namespace ts {

// What authentication established for one message. Filled by the SPF and DKIM checks;
// until they exist it stays empty, so no allowlist entry grants trust.
struct AuthenticationResult {
  std::string spf_pass_domain;                 // envelope domain SPF passed for, or empty
  std::vector<std::string> dkim_pass_domains;  // d= of each passing DKIM signature
};

enum class AllowlistStanding {
  kNotListed,         // no entry for the sender's domain
  kOutOfScope,        // an entry, but this recipient is not in its scope
  kNotAuthenticated,  // an entry and in scope, but not authenticated: screened as usual
  kTrusted,           // an entry, in scope, authenticated
};

AllowlistStanding allowlistStanding(const store::AllowEntry* entry,
                                    std::string_view envelope_domain,
                                    const std::string& recipient_number,
                                    const AuthenticationResult& auth);
std::string_view standingName(AllowlistStanding s);

}  // namespace ts
