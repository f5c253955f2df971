// An HTTP SMS API as the upstream, for a carrier that retired its email-to-SMS gateway:
// each transaction has one recipient and its message becomes one text, so the API's answer
// is the client's (250 only once the API gave the text an id).
#pragma once

#include <cstdint>

#include "relay/sms_api_client.h"
#include "relay/upstream.h"

namespace ts {

class SmsApiUpstream : public Upstream {
 public:
  explicit SmsApiUpstream(SmsApiClient& client) : client_(client) {}

  std::unique_ptr<UpstreamTransaction> begin(UpstreamEnvelope envelope) override;
  std::string_view cause() const override { return "sms_api"; }
  unsigned recipientsPerTransaction() const override { return 1; }
  bool authorisedSendersOnly() const override { return true; }
  bool releasesQuarantine() const override { return false; }
  // Recipients answered 451 4.4.5 at RCPT because the API's Retry-After was running.
  std::uint64_t recipientsDeferred() const { return recipients_deferred_; }

 private:
  SmsApiClient& client_;
  std::uint64_t recipients_deferred_ = 0;
};

}  // namespace ts
