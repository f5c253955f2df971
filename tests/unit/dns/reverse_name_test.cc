// Reverse names for PTR lookups and DNS lists: octet and nibble order, and an IPv4-mapped
// client looked up as the IPv4 address it is.
#include "dns/reverse_name.h"

#include <gtest/gtest.h>

namespace ts::dns {
namespace {

SocketAddress at(const char* text) {
  return *SocketAddress::parse(text);
}

TEST(ReverseName, Ipv4) {
  EXPECT_EQ(reversedAddress(at("192.0.2.10:25")), "10.2.0.192");
  EXPECT_EQ(ptrName(at("192.0.2.10:25")), "10.2.0.192.in-addr.arpa");
}

TEST(ReverseName, MappedIpv4IsIpv4) {
  EXPECT_EQ(ptrName(at("[::ffff:192.0.2.10]:25")), "10.2.0.192.in-addr.arpa");
  EXPECT_EQ(at("[::ffff:192.0.2.10]:25").unmappedHost(), "192.0.2.10");
}

TEST(ReverseName, Ipv6Nibbles) {
  // RFC 3596 section 2.5's example, under ip6.arpa.
  EXPECT_EQ(ptrName(at("[4321:0:1:2:3:4:567:89ab]:25")),
            "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.0.0.0.0.1.2.3.4.ip6.arpa");
}

TEST(ReverseName, NoAddress) {
  EXPECT_EQ(ptrName(SocketAddress()), "");
}

}  // namespace
}  // namespace ts::dns
