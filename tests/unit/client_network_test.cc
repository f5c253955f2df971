// The network surge mode and the connection limits count a client by: IPv4 /24, IPv6 /64, mapped
// IPv4 as IPv4.
#include "net/client_network.h"

#include <gtest/gtest.h>

namespace ts {
namespace {

SocketAddress addr(const char* text) {
  return *SocketAddress::parse(text);
}

TEST(ClientNetwork, Ipv4IsItsSlash24) {
  EXPECT_EQ(clientNetwork(addr("198.51.100.77:25")), "198.51.100.0/24");
  EXPECT_EQ(clientNetwork(addr("10.0.0.1:2525")), "10.0.0.0/24");
}

TEST(ClientNetwork, Ipv6IsItsSlash64) {
  EXPECT_EQ(clientNetwork(addr("[2001:db8:1:2:aaaa:bbbb:cccc:dddd]:25")), "2001:db8:1:2::/64");
  EXPECT_EQ(clientNetwork(addr("[2001:db8::1]:25")), "2001:db8::/64");
}

TEST(ClientNetwork, MappedIpv4CountsAsIpv4) {
  EXPECT_EQ(clientNetwork(addr("[::ffff:192.0.2.9]:25")), "192.0.2.0/24");
}

TEST(ClientNetwork, NoAddressIsEmpty) {
  EXPECT_EQ(clientNetwork(SocketAddress{}), "");
}

}  // namespace
}  // namespace ts
