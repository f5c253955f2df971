// A numeric IPv4/IPv6 socket address. Parsing never resolves names: the daemon must not
// block on DNS, so every configured peer is an address literal.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.h"

namespace ts {

class SocketAddress {
 public:
  SocketAddress() = default;
  static Result<SocketAddress> parse(std::string_view host_port);  // "1.2.3.4:25", "[::1]:25"
  static SocketAddress fromSockaddr(const sockaddr* sa, socklen_t len);

  const sockaddr* sockaddrPtr() const { return reinterpret_cast<const sockaddr*>(&storage_); }
  socklen_t length() const { return length_; }
  int family() const { return storage_.ss_family; }
  std::uint16_t port() const;
  std::string host() const;      // "127.0.0.1", "::1"
  std::string toString() const;  // "127.0.0.1:25", "[::1]:25"
  // The address bytes (4 or 16), for limits and network matching.
  std::string_view addressBytes() const;
  // As addressBytes, but an IPv4-mapped IPv6 address (::ffff:192.0.2.1) as its 4 bytes:
  // what the client really is, for DNS and comparisons with literals.
  std::string_view unmappedBytes() const;
  // The address as text in its unmapped form ("192.0.2.1", never "::ffff:192.0.2.1").
  std::string unmappedHost() const;
  // 127.0.0.0/8 or ::1 (also as ::ffff:127.x.y.z): reachable from this host only.
  bool isLoopback() const;
  bool operator==(const SocketAddress& other) const { return toString() == other.toString(); }

 private:
  sockaddr_storage storage_{};
  socklen_t length_ = 0;
};

}  // namespace ts
