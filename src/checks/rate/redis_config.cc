// The Redis keys. Off by default: one process per host needs no Redis, and a fleet turns
// it on by naming the address. The timeout is short because a counter answer holds a
// client's RCPT: a slow Redis must cost a fallback, never a stalled session.
#include "checks/rate/redis_config.h"

#include <array>
#include <vector>

#include "config/config.h"
#include "config/config_table.h"
#include "config/key_setters.h"
#include "net/socket_address.h"

namespace ts {
namespace {

Status<> setAddress(Config& c, const std::vector<std::string>& values) {
  std::string text;
  if (auto set = assignText(text, values); !set) return set;
  c.redis.address = RedisAddress{};
  if (text.empty() || text == "none") return Ok{};
  if (text.front() == '/') {
    c.redis.address.unix_path = text;
    return Ok{};
  }
  auto parsed = SocketAddress::parse(text);
  if (!parsed) {
    return fail("'" + text +
                "' is not an address literal and port (127.0.0.1:6379, [::1]:6379) or a unix "
                "socket path");
  }
  c.redis.address.host = parsed->host();
  c.redis.address.port = parsed->port();
  return Ok{};
}

Status<> setTimeout(Config& c, const std::vector<std::string>& values) {
  return assignDeadline(c.redis.timeout, values);
}

Status<> setKeyPrefix(Config& c, const std::vector<std::string>& values) {
  auto v = singleValue(values);
  if (!v) return fail(v.error());
  // Spaces and controls would make the keys awkward in redis-cli and the logs.
  for (char ch : *v) {
    if (static_cast<unsigned char>(ch) <= ' ' || ch == 0x7f) {
      return fail(std::string("must not contain spaces or control characters"));
    }
  }
  c.redis.key_prefix = *v;
  return Ok{};
}

constexpr std::array kKeys = {
    ConfigKey{"redis_address", "", "address:port or path",
              "Redis shared by every process of a fleet for the rate, abuse and surge counters: "
              "an address literal and port (127.0.0.1:6379) or a unix socket path. Empty: "
              "in-process counters only (the default).",
              false, setAddress},
    ConfigKey{"redis_timeout", "200ms", "duration",
              "How long a Redis answer (or connecting) may take; beyond it the process counts "
              "with its own counters until Redis answers again, and logs the spell.",
              false, setTimeout},
    ConfigKey{"redis_key_prefix", "textscreen:", "text",
              "Put before every counter key in Redis, so fleets sharing one Redis stay apart.",
              false, setKeyPrefix},
};

}  // namespace

std::string RedisAddress::toString() const {
  if (!unix_path.empty()) return unix_path;
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

std::span<const ConfigKey> redisConfigKeys() {
  return kKeys;
}

}  // namespace ts
