// How often one client may look up a reference id on /why: a fixed one-minute window per
// address, so guessing ids or scraping records is slow. The table of addresses is capped;
// an IPv6 client counts by its /64, since one host usually holds the whole /64.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

#include "net/socket_address.h"
#include "util/lru_cache.h"

namespace ts {

class AddressRateLimiter {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  static constexpr std::chrono::seconds kWindow{60};
  static constexpr std::size_t kDefaultCapacity = 10000;

  explicit AddressRateLimiter(Clock clock, std::size_t capacity = kDefaultCapacity)
      : clock_(std::move(clock)), windows_(capacity) {}

  // Counts one lookup by peer against limit per minute. Zero when it may go ahead; else
  // the whole seconds until its window ends (at least 1), for Retry-After. A refused
  // lookup is not counted. When the table is full the longest-idle address is forgotten.
  std::chrono::seconds admit(const SocketAddress& peer, unsigned limit);

  std::size_t tracked() const { return windows_.size(); }

  // The table key: the 4 bytes of an IPv4 (also IPv4-mapped) address, the first 8 of an
  // IPv6 one.
  static std::string groupOf(const SocketAddress& peer);

 private:
  struct Window {
    std::chrono::system_clock::time_point start;
    unsigned count = 0;
  };

  Clock clock_;
  LruCache<Window> windows_;
};

}  // namespace ts
