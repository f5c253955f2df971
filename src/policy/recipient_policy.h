// The relay guard: a recipient must be at a gateway domain (textscreen is never an open
// relay, invariant 5) and be a subscriber number, or be postmaster@/abuse@ of a gateway
// domain (RFC 5321 section 4.5.1, RFC 2142), which is sent on to the postmaster address.
#pragma once

#include <string>
#include <vector>

#include "policy/check_result.h"
#include "policy/subscriber_number.h"
#include "smtp/envelope_parser.h"

namespace ts {

struct RecipientVerdict {
  CheckResult result;        // outcome pass, or fail with the reason and enhanced code
  std::string forward_path;  // the address given to the gateway when accepted
  // postmaster@ or abuse@: always accepted whatever the screening checks say (RFC 5321
  // section 4.5.1, RFC 2142), so a blocked sender can still reach a human.
  bool role = false;
};

class RecipientPolicy {
 public:
  RecipientPolicy(std::vector<std::string> gateway_domains, std::string postmaster_address,
                  SubscriberNumberValidator& numbers);

  RecipientVerdict evaluate(const smtp::Mailbox& recipient) const;
  bool isGatewayDomain(std::string_view domain) const;

 private:
  std::vector<std::string> domains_;  // lower case
  std::string postmaster_address_;
  SubscriberNumberValidator& numbers_;
};

}  // namespace ts
