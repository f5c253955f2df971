// The shared counters' configuration keys (DESIGN.md "Scaling out"): where Redis is, how
// long an answer may take before a process falls back to its own counters, and the prefix
// that keeps several fleets (or other users) apart in one Redis.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>

namespace ts {

struct ConfigKey;

// Where Redis listens: an address literal and port, or a unix socket path. Never a name:
// hiredis would resolve it with a blocking getaddrinfo on the loop.
struct RedisAddress {
  std::string host;  // "127.0.0.1", "::1"; empty for a unix socket
  std::uint16_t port = 0;
  std::string unix_path;  // "/run/redis/redis.sock"; empty for TCP

  bool empty() const { return host.empty() && unix_path.empty(); }
  std::string toString() const;
  bool operator==(const RedisAddress&) const = default;
};

struct RedisConfig {
  RedisAddress address;  // empty: in-process counters only (the default)
  std::chrono::milliseconds timeout{200};
  std::string key_prefix = "textscreen:";

  bool operator==(const RedisConfig&) const = default;
};

std::span<const ConfigKey> redisConfigKeys();

}  // namespace ts
