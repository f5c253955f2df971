// What a check may see of a session (STYLE.md 2): the peer, what it said, and who we
// are. Never a socket, never the session itself.
#pragma once

#include <string>
#include <vector>

#include "net/socket_address.h"

namespace ts {

struct ClientContext {
  SocketAddress peer;
  std::string helo;
  std::string our_hostname;
  std::vector<std::string> our_domains;  // the gateway domains: a client is none of them
  // The envelope sender of the transaction (MAIL FROM), empty for the null sender <> and
  // before MAIL.
  std::string mail_from{};
};

}  // namespace ts
