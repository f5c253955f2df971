// The /why lookup limit: a minute's window per address, Retry-After to its end, a capped
// table, IPv6 counted by /64.
#include "web/address_rate_limiter.h"

#include <gtest/gtest.h>

namespace ts {
namespace {

using std::chrono::seconds;

SocketAddress address(const char* host_port) {
  return SocketAddress::parse(host_port).value();
}

class AddressRateLimiterTest : public ::testing::Test {
 protected:
  std::chrono::system_clock::time_point now{std::chrono::seconds(1'700'000'000)};
  AddressRateLimiter limiter{[this] { return now; }, 3};
};

TEST_F(AddressRateLimiterTest, AdmitsTheLimitThenRefusesUntilTheWindowEnds) {
  SocketAddress a = address("192.0.2.1:5000");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.admit(a, 3), seconds(0)) << i;
  EXPECT_EQ(limiter.admit(a, 3), seconds(60));
  now += seconds(20);
  EXPECT_EQ(limiter.admit(a, 3), seconds(40));
  now += std::chrono::milliseconds(39'500);
  EXPECT_EQ(limiter.admit(a, 3), seconds(1));  // half a second left rounds up
  now += std::chrono::milliseconds(500);
  EXPECT_EQ(limiter.admit(a, 3), seconds(0));  // a new window
}

TEST_F(AddressRateLimiterTest, RefusedLookupsDoNotExtendTheWindow) {
  SocketAddress a = address("192.0.2.1:5000");
  EXPECT_EQ(limiter.admit(a, 1), seconds(0));
  for (int i = 0; i < 10; ++i) {
    now += seconds(5);
    EXPECT_EQ(limiter.admit(a, 1), seconds(55 - 5 * i)) << i;
  }
  now += seconds(10);
  EXPECT_EQ(limiter.admit(a, 1), seconds(0));
}

TEST_F(AddressRateLimiterTest, AddressesCountApartAndPortsDoNot) {
  EXPECT_EQ(limiter.admit(address("192.0.2.1:1"), 1), seconds(0));
  EXPECT_GT(limiter.admit(address("192.0.2.1:2"), 1), seconds(0));
  EXPECT_EQ(limiter.admit(address("192.0.2.2:1"), 1), seconds(0));
}

TEST_F(AddressRateLimiterTest, Ipv6CountsByItsSlash64) {
  EXPECT_EQ(limiter.admit(address("[2001:db8:1:2::1]:1"), 2), seconds(0));
  EXPECT_EQ(limiter.admit(address("[2001:db8:1:2:ffff:1:2:3]:1"), 2), seconds(0));
  EXPECT_GT(limiter.admit(address("[2001:db8:1:2::99]:1"), 2), seconds(0));
  EXPECT_EQ(limiter.admit(address("[2001:db8:1:3::1]:1"), 2), seconds(0));
}

TEST_F(AddressRateLimiterTest, MappedIpv4CountsAsIpv4) {
  EXPECT_EQ(AddressRateLimiter::groupOf(address("[::ffff:192.0.2.1]:1")),
            AddressRateLimiter::groupOf(address("192.0.2.1:1")));
  EXPECT_NE(AddressRateLimiter::groupOf(address("[::ffff:192.0.2.1]:1")),
            AddressRateLimiter::groupOf(address("[::ffff:192.0.2.2]:1")));
}

TEST_F(AddressRateLimiterTest, TheTableIsCapped) {
  for (int i = 1; i <= 50; ++i) {
    limiter.admit(address(("192.0.2." + std::to_string(i) + ":1").c_str()), 1);
    EXPECT_LE(limiter.tracked(), 3u);
  }
  // The longest idle address was forgotten and starts again.
  EXPECT_EQ(limiter.admit(address("192.0.2.1:1"), 1), seconds(0));
  EXPECT_GT(limiter.admit(address("192.0.2.50:1"), 1), seconds(0));
}

TEST_F(AddressRateLimiterTest, AClockSetBackStartsAFreshWindow) {
  SocketAddress a = address("192.0.2.1:5000");
  EXPECT_EQ(limiter.admit(a, 1), seconds(0));
  now -= std::chrono::hours(2);
  EXPECT_EQ(limiter.admit(a, 1), seconds(0));
  EXPECT_EQ(limiter.admit(a, 1), seconds(60));
}

}  // namespace
}  // namespace ts
