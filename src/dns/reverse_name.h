// The names under which DNS files an address: reversed octets (IPv4) or nibbles (IPv6),
// for PTR lookups (in-addr.arpa, ip6.arpa) and DNS lists (RFC 5782: the same order under
// the list's zone). An IPv4-mapped IPv6 client is looked up as the IPv4 address it is.
#pragma once

#include <string>
#include <string_view>

#include "net/socket_address.h"

namespace ts::dns {

// "10.2.0.192" for 192.0.2.10; 32 dot-separated nibbles for IPv6; empty for no address.
std::string reversedAddress(const SocketAddress& address);
// "10.2.0.192.in-addr.arpa" or "....ip6.arpa".
std::string ptrName(const SocketAddress& address);

}  // namespace ts::dns
