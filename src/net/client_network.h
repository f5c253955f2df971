// The client network that surge mode and the connection limits count by: an IPv4 /24 or
// an IPv6 /64 (one site's allocation), so a sender hopping between addresses of its own
// network counts once.
#pragma once

#include <string>

#include "net/socket_address.h"

namespace ts {

// "198.51.100.0/24" or "2001:db8:1:2::/64"; an IPv4-mapped IPv6 peer as its IPv4 /24;
// "" when the peer is not an IP address.
std::string clientNetwork(const SocketAddress& peer);

}  // namespace ts
