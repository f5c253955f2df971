// Connection limits: per address, per network (IPv4 /24, IPv6 /64), trusted clients
// exempt but counted, and every count given back on release.
#include "net/connection_limits.h"

#include <gtest/gtest.h>

namespace ts {
namespace {

using Admission = ConnectionLimits::Admission;

SocketAddress addr(const char* text) {
  return *SocketAddress::parse(text);
}

constexpr ConnectionLimits::Bounds kBounds{2, 3};

TEST(ConnectionLimits, PerAddress) {
  ConnectionLimits limits;
  EXPECT_EQ(limits.admit(addr("198.51.100.7:1"), kBounds, false), Admission::kAdmitted);
  EXPECT_EQ(limits.admit(addr("198.51.100.7:2"), kBounds, false), Admission::kAdmitted);
  EXPECT_EQ(limits.admit(addr("198.51.100.7:3"), kBounds, false), Admission::kTooManyFromAddress);
  EXPECT_EQ(limits.total(), 2u);
  EXPECT_EQ(limits.refusals().per_address, 1u);
  limits.release(addr("198.51.100.7:1"));
  EXPECT_EQ(limits.admit(addr("198.51.100.7:4"), kBounds, false), Admission::kAdmitted);
}

TEST(ConnectionLimits, PerIpv4Network) {
  ConnectionLimits limits;
  EXPECT_EQ(limits.admit(addr("198.51.100.1:1"), kBounds, false), Admission::kAdmitted);
  EXPECT_EQ(limits.admit(addr("198.51.100.2:1"), kBounds, false), Admission::kAdmitted);
  EXPECT_EQ(limits.admit(addr("198.51.100.3:1"), kBounds, false), Admission::kAdmitted);
  EXPECT_EQ(limits.admit(addr("198.51.100.4:1"), kBounds, false), Admission::kTooManyFromNetwork);
  EXPECT_EQ(limits.refusals().per_network, 1u);
  // The next /24 is another network.
  EXPECT_EQ(limits.admit(addr("198.51.101.4:1"), kBounds, false), Admission::kAdmitted);
  limits.release(addr("198.51.100.2:1"));
  EXPECT_EQ(limits.admit(addr("198.51.100.4:1"), kBounds, false), Admission::kAdmitted);
  EXPECT_EQ(limits.total(), 4u);
}

TEST(ConnectionLimits, PerIpv6NetworkAndMappedIpv4) {
  ConnectionLimits limits;
  for (const char* a : {"[2001:db8:1:2::1]:1", "[2001:db8:1:2::2]:1", "[2001:db8:1:2:ffff::3]:1"}) {
    EXPECT_EQ(limits.admit(addr(a), kBounds, false), Admission::kAdmitted) << a;
  }
  EXPECT_EQ(limits.admit(addr("[2001:db8:1:2::9]:1"), kBounds, false),
            Admission::kTooManyFromNetwork);
  EXPECT_EQ(limits.admit(addr("[2001:db8:1:3::9]:1"), kBounds, false), Admission::kAdmitted);
  // An IPv4-mapped client counts in its IPv4 /24.
  EXPECT_EQ(limits.admit(addr("192.0.2.1:1"), kBounds, false), Admission::kAdmitted);
  EXPECT_EQ(limits.admit(addr("192.0.2.2:1"), kBounds, false), Admission::kAdmitted);
  EXPECT_EQ(limits.admit(addr("[::ffff:192.0.2.3]:1"), kBounds, false), Admission::kAdmitted);
  EXPECT_EQ(limits.admit(addr("[::ffff:192.0.2.4]:1"), kBounds, false),
            Admission::kTooManyFromNetwork);
}

TEST(ConnectionLimits, TrustedClientsAreExemptButCounted) {
  ConnectionLimits limits;
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(limits.admit(addr("10.0.0.1:1"), kBounds, true), Admission::kAdmitted);
  }
  EXPECT_EQ(limits.total(), 5u);
  // Their connections still fill the address's count for an untrusted look.
  EXPECT_EQ(limits.admit(addr("10.0.0.1:1"), kBounds, false), Admission::kTooManyFromAddress);
  EXPECT_TRUE(limits.full(5));
  EXPECT_FALSE(limits.full(6));
}

TEST(ConnectionLimits, ReleaseGivesEverythingBack) {
  ConnectionLimits limits;
  SocketAddress a = addr("203.0.113.9:1");
  ASSERT_EQ(limits.admit(a, kBounds, false), Admission::kAdmitted);
  ASSERT_EQ(limits.admit(a, kBounds, false), Admission::kAdmitted);
  limits.release(a);
  limits.release(a);
  EXPECT_EQ(limits.total(), 0u);
  // A release without an admission (a refused client) changes nothing.
  limits.release(a);
  EXPECT_EQ(limits.total(), 0u);
  for (int i = 0; i < 2; ++i) EXPECT_EQ(limits.admit(a, kBounds, false), Admission::kAdmitted);
}

}  // namespace
}  // namespace ts
