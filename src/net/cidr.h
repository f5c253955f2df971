// An IPv4 or IPv6 network ("10.0.0.0/8", "::1/128", or a bare address), for
// trusted_networks and later the ban lists.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "net/socket_address.h"
#include "util/result.h"

namespace ts {

class Cidr {
 public:
  static Result<Cidr> parse(std::string_view text);
  // The network of the given prefix length around an address (IPv4-mapped IPv6
  // addresses count as IPv4).
  static Result<Cidr> containing(const SocketAddress& address, unsigned prefix);
  bool contains(const SocketAddress& address) const;
  std::string toString() const;

 private:
  int family_ = 0;
  std::array<std::uint8_t, 16> bytes_{};
  unsigned prefix_ = 0;
};

}  // namespace ts
