// inet_pton/inet_ntop only: both are pure conversions, safe on the event loop.
#include "net/socket_address.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace ts {

Result<SocketAddress> SocketAddress::parse(std::string_view text) {
  std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos)
    return fail("expected address:port, got '" + std::string(text) + "'");
  std::string_view host = text.substr(0, colon);
  std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port == 0 ||
      port > 65535) {
    return fail("bad port in '" + std::string(text) + "'");
  }
  SocketAddress out;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    std::string h(host.substr(1, host.size() - 2));
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out.storage_);
    if (inet_pton(AF_INET6, h.c_str(), &sin6->sin6_addr) != 1) {
      return fail("bad IPv6 address in '" + std::string(text) + "'");
    }
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(static_cast<std::uint16_t>(port));
    out.length_ = sizeof(sockaddr_in6);
    return out;
  }
  std::string h(host);
  auto* sin = reinterpret_cast<sockaddr_in*>(&out.storage_);
  if (inet_pton(AF_INET, h.c_str(), &sin->sin_addr) != 1) {
    return fail("bad IPv4 address in '" + std::string(text) +
                "' (names are not resolved; use an address)");
  }
  sin->sin_family = AF_INET;
  sin->sin_port = htons(static_cast<std::uint16_t>(port));
  out.length_ = sizeof(sockaddr_in);
  return out;
}

SocketAddress SocketAddress::fromSockaddr(const sockaddr* sa, socklen_t len) {
  SocketAddress out;
  if (len > sizeof(out.storage_)) len = sizeof(out.storage_);
  std::memcpy(&out.storage_, sa, len);
  out.length_ = len;
  return out;
}

std::uint16_t SocketAddress::port() const {
  if (family() == AF_INET6)
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
  if (family() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
  return 0;
}

std::string_view SocketAddress::addressBytes() const {
  if (family() == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr;
    return {reinterpret_cast<const char*>(&a), 16};
  }
  if (family() == AF_INET) {
    const auto& a = reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr;
    return {reinterpret_cast<const char*>(&a), 4};
  }
  return {};
}

std::string_view SocketAddress::unmappedBytes() const {
  static constexpr char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '\xff', '\xff'};
  std::string_view bytes = addressBytes();
  if (bytes.size() == 16 && std::memcmp(bytes.data(), kMapped, 12) == 0) bytes.remove_prefix(12);
  return bytes;
}

std::string SocketAddress::unmappedHost() const {
  char buf[INET6_ADDRSTRLEN] = {0};
  std::string_view bytes = unmappedBytes();
  int family = bytes.size() == 4 ? AF_INET : AF_INET6;
  if (bytes.empty() || !inet_ntop(family, bytes.data(), buf, sizeof(buf))) return "unknown";
  return buf;
}

bool SocketAddress::isLoopback() const {
  static constexpr char kIpv6Loopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  std::string_view bytes = unmappedBytes();
  if (bytes.size() == 4) return bytes[0] == 127;
  return bytes.size() == 16 && std::memcmp(bytes.data(), kIpv6Loopback, 16) == 0;
}

std::string SocketAddress::host() const {
  char buf[INET6_ADDRSTRLEN] = {0};
  std::string_view bytes = addressBytes();
  if (bytes.empty() || !inet_ntop(family(), bytes.data(), buf, sizeof(buf))) return "unknown";
  return buf;
}

std::string SocketAddress::toString() const {
  std::string h = host();
  std::string p = std::to_string(port());
  return family() == AF_INET6 ? "[" + h + "]:" + p : h + ":" + p;
}

}  // namespace ts
