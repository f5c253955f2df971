// The Redis and reuse_port keys: off by default (one process, in-process counters), an
// address literal or a unix path accepted, a host name refused (hiredis would resolve it
// with a blocking call), and a bad value named by its key.
#include <gtest/gtest.h>

#include "config/config.h"
#include "unit/config_file.h"

namespace ts {
namespace {

using namespace std::chrono_literals;
using testing::loadWith;

TEST(RedisConfig, DefaultsAreOneProcessWithoutRedis) {
  auto c = loadConfig(Invocation{});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->redis.address.empty());
  EXPECT_EQ(c->redis.timeout, 200ms);
  EXPECT_EQ(c->redis.key_prefix, "textscreen:");
  EXPECT_FALSE(c->reuse_port);
}

TEST(RedisConfig, KeysParse) {
  auto c = loadWith(
      "redis_address = 127.0.0.1:6380\n"
      "redis_timeout = 50ms\n"
      "redis_key_prefix = fleet-a:\n"
      "reuse_port = yes\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->redis.address.host, "127.0.0.1");
  EXPECT_EQ(c->redis.address.port, 6380);
  EXPECT_EQ(c->redis.address.toString(), "127.0.0.1:6380");
  EXPECT_EQ(c->redis.timeout, 50ms);
  EXPECT_EQ(c->redis.key_prefix, "fleet-a:");
  EXPECT_TRUE(c->reuse_port);

  auto v6 = loadWith("", {"redis_address=[::1]:6379"});
  ASSERT_TRUE(v6.ok()) << v6.error().message;
  EXPECT_EQ(v6->redis.address.host, "::1");
  EXPECT_EQ(v6->redis.address.toString(), "[::1]:6379");

  auto unix_socket = loadWith("", {"redis_address=/run/redis/redis.sock"});
  ASSERT_TRUE(unix_socket.ok()) << unix_socket.error().message;
  EXPECT_EQ(unix_socket->redis.address.unix_path, "/run/redis/redis.sock");
  EXPECT_TRUE(unix_socket->redis.address.host.empty());

  auto none = loadWith("redis_address = none\n");
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_TRUE(none->redis.address.empty());
}

TEST(RedisConfig, BadValuesNameTheirKey) {
  const char* cases[][2] = {
      {"redis_address", "redis.example:6379"},
      {"redis_address", "127.0.0.1"},
      {"redis_address", "relative/redis.sock"},
      {"redis_timeout", "0"},
      {"redis_timeout", "2m"},
      {"redis_key_prefix", "two words"},
      {"reuse_port", "maybe"},
  };
  for (const auto& [key, value] : cases) {
    auto c = loadWith("", {std::string(key) + "=" + value});
    ASSERT_FALSE(c.ok()) << key << "=" << value;
    EXPECT_NE(c.error().message.find(key), std::string::npos) << c.error().message;
  }
}

}  // namespace
}  // namespace ts
