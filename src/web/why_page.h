// The public /why page: a sender's admin pastes the reference id from a refusal and reads
// when it happened, what was decided, why, and what to fix. Nothing else: not the client
// address, not the gateway's words, not other senders' mail, recipient numbers masked.
#pragma once

#include "web/http_exchange.h"
#include "web/web_services.h"

namespace ts {

class WhyPage {
 public:
  explicit WhyPage(const WebServices& services) : services_(services) {}

  void handle(const HttpRequest& request, const HttpReply& reply);

 private:
  const WebServices& services_;
};

}  // namespace ts
