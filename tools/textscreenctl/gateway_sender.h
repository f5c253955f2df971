// A small blocking SMTP client for `quarantine release`: one message, one connection to
// the gateway, every connect, read and write bounded by a timeout. Blocking is fine
// here: this is the CLI, not the daemon's loop.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "net/socket_address.h"

namespace ts::ctl {

struct GatewaySettings {
  SocketAddress address;
  std::string helo_name;
  Duration connect_timeout{};  // the connection and the greeting
  Duration reply_timeout{};    // each reply after that
};

struct GatewayOutcome {
  bool delivered = false;  // the gateway answered 2xx to the message
  // The message went out but no reply came: it may have been delivered, so a caller
  // that must deliver once cannot simply try again.
  bool uncertain = false;
  std::vector<std::string> accepted;  // recipients the gateway took
  std::vector<std::string> refused;   // "<rcpt>: 550 5.1.1 ..." for the others
  std::string reply;                  // the deciding reply, or what went wrong
};

GatewayOutcome sendThroughGateway(const GatewaySettings& settings, std::string_view mail_from,
                                  const std::vector<std::string>& recipients,
                                  std::string_view message);

// The DATA payload: lines ending in CRLF, a leading dot doubled (RFC 5321 4.5.2), and
// the final ".\r\n".
std::string dotStuff(std::string_view message);

}  // namespace ts::ctl
