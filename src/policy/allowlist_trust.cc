// Alignment is relaxed (RFC 7489 style) without a public suffix list: d= must equal the
// envelope domain or be a parent of it, and must itself be covered by the entry.
#include "policy/allowlist_trust.h"

#include "util/ascii.h"

namespace ts {
namespace {

bool isSameOrSubdomain(std::string_view name, std::string_view parent) {
  if (asciiEqualsIgnoreCase(name, parent)) return true;
  return name.size() > parent.size() && name[name.size() - parent.size() - 1] == '.' &&
         asciiEqualsIgnoreCase(name.substr(name.size() - parent.size()), parent);
}

bool coveredByEntry(const store::AllowEntry& entry, std::string_view domain) {
  return entry.subdomains ? isSameOrSubdomain(domain, entry.domain)
                          : asciiEqualsIgnoreCase(domain, entry.domain);
}

bool authenticated(const store::AllowEntry& entry, std::string_view envelope_domain,
                   const AuthenticationResult& auth) {
  if (!auth.spf_pass_domain.empty() &&
      asciiEqualsIgnoreCase(auth.spf_pass_domain, envelope_domain) &&
      coveredByEntry(entry, envelope_domain)) {
    return true;
  }
  for (const std::string& d : auth.dkim_pass_domains) {
    if (isSameOrSubdomain(envelope_domain, d) && coveredByEntry(entry, d)) return true;
  }
  return false;
}

}  // namespace

AllowlistStanding allowlistStanding(const store::AllowEntry* entry,
                                    std::string_view envelope_domain,
                                    const std::string& recipient_number,
                                    const AuthenticationResult& auth) {
  if (!entry) return AllowlistStanding::kNotListed;
  if (!entry->inScope(recipient_number)) return AllowlistStanding::kOutOfScope;
  if (!authenticated(*entry, envelope_domain, auth)) return AllowlistStanding::kNotAuthenticated;
  return AllowlistStanding::kTrusted;
}

std::string_view standingName(AllowlistStanding s) {
  switch (s) {
    case AllowlistStanding::kNotListed:
      return "not listed";
    case AllowlistStanding::kOutOfScope:
      return "listed, recipient out of scope";
    case AllowlistStanding::kNotAuthenticated:
      return "listed, sender not authenticated";
    case AllowlistStanding::kTrusted:
      return "listed and authenticated";
  }
  return "not listed";
}

}  // namespace ts
