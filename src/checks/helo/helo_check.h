// The HELO/EHLO argument judged by its syntax (RFC 5321 section 4.1.1.1, RFC 1035 labels):
// a host name with at least one dot, or an address literal that is the client's own
// address; never a bare IP address and never this server's own name. Whether the name
// resolves is the DNS part of the check, which needs the Resolver.
#pragma once

#include "checks/client_context.h"
#include "checks/helo/helo_config.h"
#include "policy/check_result.h"

namespace ts {

class HeloCheck {
 public:
  explicit HeloCheck(const HeloConfig& config) : config_(config) {}
  CheckResult evaluate(const ClientContext& context) const;

 private:
  HeloConfig config_;
};

}  // namespace ts
