// The public /why page: a sender's admin pastes the reference id from a refusal and reads
// when it happened, what was decided, why, and what to fix. Nothing else: not the client
// address, not the gateway's words, not other senders' mail, recipient numbers masked.
#pragma once

#include <chrono>
#include <functional>

#include "store/records.h"
#include "web/address_rate_limiter.h"
#include "web/http_exchange.h"
#include "web/web_services.h"

namespace ts {

class WhyPage {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  WhyPage(const WebServices& services, Clock clock)
      : services_(services), clock_(clock), limiter_(std::move(clock)) {}

  void handle(const HttpRequest& request, const HttpReply& reply);

  // The result section for one record, as of now: public so the tests can read it without
  // a store.
  static std::string resultHtml(const store::DecisionRecord& record,
                                std::chrono::system_clock::time_point now);

 private:
  const WebServices& services_;
  Clock clock_;
  AddressRateLimiter limiter_;
};

}  // namespace ts
