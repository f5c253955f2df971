// Domains compare case-insensitively in ASCII only: a gateway domain is configured in
// A-label form, and a U-label recipient domain simply does not match.
#include "policy/recipient_policy.h"

#include <fmt/format.h>

#include "util/ascii.h"

namespace ts {

RecipientPolicy::RecipientPolicy(std::vector<std::string> gateway_domains,
                                 std::string postmaster_address, SubscriberNumberValidator& numbers)
    : domains_(std::move(gateway_domains)),
      postmaster_address_(std::move(postmaster_address)),
      numbers_(numbers) {
  for (auto& d : domains_) d = asciiLower(d);
}

bool RecipientPolicy::isGatewayDomain(std::string_view domain) const {
  for (const auto& d : domains_) {
    if (asciiEqualsIgnoreCase(domain, d)) return true;
  }
  return false;
}

RecipientVerdict RecipientPolicy::evaluate(const smtp::Mailbox& recipient) const {
  RecipientVerdict v;
  v.result.check = "recipient";
  bool role = !recipient.quoted && (asciiEqualsIgnoreCase(recipient.local_part, "postmaster") ||
                                    asciiEqualsIgnoreCase(recipient.local_part, "abuse"));
  if (recipient.domain.empty() || !isGatewayDomain(recipient.domain)) {
    if (recipient.domain.empty() && role) {
      v.result.outcome = Outcome::kPass;
      v.forward_path = postmaster_address_;
      v.role = true;
      return v;
    }
    v.result.outcome = Outcome::kFail;
    v.result.enhanced = "5.7.1";
    v.result.reason = fmt::format(
        "Relay access denied: this server only accepts mail for its SMS gateway domains, "
        "not for {}; send to the recipient's own mail server",
        recipient.domain.empty() ? std::string("addresses without a domain") : recipient.domain);
    return v;
  }
  if (role) {
    v.result.outcome = Outcome::kPass;
    v.forward_path = postmaster_address_;
    v.role = true;
    return v;
  }
  if (recipient.quoted || !numbers_.isSubscriberNumber(recipient.local_part)) {
    v.result.outcome = Outcome::kFail;
    v.result.enhanced = "5.1.1";
    v.result.reason = fmt::format(
        "<{}> is not a valid subscriber number: address SMS mail as the phone number "
        "in digits, e.g. 14155551212@{}",
        recipient.address(), recipient.domain);
    return v;
  }
  v.result.outcome = Outcome::kPass;
  v.forward_path = recipient.address();
  return v;
}

}  // namespace ts
