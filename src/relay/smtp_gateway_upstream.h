// The carrier's SMTP gateway as the upstream: connections from the RelayPool, MAIL at the
// first recipient and each RCPT forwarded as it comes, so the gateway's per-recipient
// answer is the client's (DESIGN.md, "The life of one connection").
#pragma once

#include "relay/relay_pool.h"
#include "relay/upstream.h"

namespace ts {

class SmtpGatewayUpstream : public Upstream {
 public:
  explicit SmtpGatewayUpstream(RelayPool& pool) : pool_(pool) {}

  std::unique_ptr<UpstreamTransaction> begin(UpstreamEnvelope envelope) override;
  std::string_view cause() const override { return "gateway"; }
  unsigned recipientsPerTransaction() const override { return 0; }
  bool authorisedSendersOnly() const override { return false; }
  bool releasesQuarantine() const override { return true; }

 private:
  RelayPool& pool_;
};

}  // namespace ts
