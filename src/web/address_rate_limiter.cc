// A window starts with an address's first lookup and ends a minute later; a clock set back
// starts a fresh one rather than a window of hours.
#include "web/address_rate_limiter.h"

namespace ts {

std::string AddressRateLimiter::groupOf(const SocketAddress& peer) {
  std::string_view bytes = peer.unmappedBytes();
  constexpr std::size_t kIpv6Network = 8;
  if (bytes.size() > kIpv6Network) bytes = bytes.substr(0, kIpv6Network);
  return std::string(bytes);
}

std::chrono::seconds AddressRateLimiter::admit(const SocketAddress& peer, unsigned limit) {
  auto now = clock_();
  std::string key = groupOf(peer);
  Window window = windows_.get(key).value_or(Window{now, 0});
  if (now < window.start || now >= window.start + kWindow) window = Window{now, 0};
  if (window.count >= limit) {
    auto left = window.start + kWindow - now;
    auto seconds = std::chrono::ceil<std::chrono::seconds>(left);
    return std::max(seconds, std::chrono::seconds(1));
  }
  ++window.count;
  windows_.put(key, window);
  return std::chrono::seconds(0);
}

}  // namespace ts
