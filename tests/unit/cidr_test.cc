// Networks and socket addresses, as used by trusted_networks and the listener.
#include "net/cidr.h"

#include <gtest/gtest.h>

namespace ts {
namespace {

SocketAddress addr(const char* text) {
  return *SocketAddress::parse(text);
}

TEST(Cidr, Ipv4) {
  auto n = Cidr::parse("10.1.0.0/16");
  ASSERT_TRUE(n.ok());
  EXPECT_TRUE(n->contains(addr("10.1.2.3:25")));
  EXPECT_FALSE(n->contains(addr("10.2.0.1:25")));
  EXPECT_FALSE(n->contains(addr("[::1]:25")));
}

TEST(Cidr, Ipv6AndMapped) {
  auto n = Cidr::parse("::1/128");
  ASSERT_TRUE(n.ok());
  EXPECT_TRUE(n->contains(addr("[::1]:25")));
  auto v4 = Cidr::parse("127.0.0.0/8");
  EXPECT_TRUE(v4->contains(addr("[::ffff:127.0.0.5]:25")));
}

TEST(Cidr, OddPrefixes) {
  auto n = Cidr::parse("192.168.1.128/25");
  ASSERT_TRUE(n.ok());
  EXPECT_TRUE(n->contains(addr("192.168.1.200:1")));
  EXPECT_FALSE(n->contains(addr("192.168.1.127:1")));
  EXPECT_TRUE(Cidr::parse("0.0.0.0/0")->contains(addr("8.8.8.8:53")));
}

TEST(Cidr, Invalid) {
  for (const char* s :
       {"", "10.0.0.0/33", "10.0.0.1/8", "host.example", "10.0.0.0/", "10.0.0.0/x", "::1/129"}) {
    EXPECT_FALSE(Cidr::parse(s).ok()) << s;
  }
}

TEST(SocketAddress, ParseAndPrint) {
  EXPECT_EQ(addr("127.0.0.1:2525").toString(), "127.0.0.1:2525");
  EXPECT_EQ(addr("[::1]:25").toString(), "[::1]:25");
  for (const char* s :
       {"127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536", "localhost:25", "[::1:25", "1.2.3.4:x"}) {
    EXPECT_FALSE(SocketAddress::parse(s).ok()) << s;
  }
}

}  // namespace
}  // namespace ts
