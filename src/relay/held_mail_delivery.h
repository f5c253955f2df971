// Delivers one held message to the gateway from the daemon's loop, without blocking it:
// a GatewayConnection of its own (STARTTLS as gateway_tls says, like the relay), the
// envelope, and the payload textscreenctl would send (dotStuff). The caller learns
// whether the gateway took it, refused it, or may have taken it without saying so.
#pragma once

#include <event2/event.h>

#include <functional>
#include <string>
#include <vector>

#include "relay/gateway_connection.h"

namespace ts {

struct HeldMail {
  std::string mail_from;
  std::vector<std::string> recipients;
  std::string message;  // as stored: CRLF line endings, not dot-stuffed
};

struct HeldMailOutcome {
  bool delivered = false;  // the gateway answered 2xx to the message
  // The message went out but no reply came: it may have been delivered, so it must not
  // simply be sent again.
  bool uncertain = false;
  std::vector<std::string> accepted;  // recipients the gateway took
  std::vector<std::string> refused;   // "<rcpt>: 550 5.1.1 ..." for the others
  std::string reply;                  // the deciding reply, or what went wrong
};

// done runs once, on the loop, never from within this call.
void deliverHeldMail(event_base* base, const GatewaySettings& settings, HeldMail mail,
                     std::function<void(HeldMailOutcome)> done);

}  // namespace ts
