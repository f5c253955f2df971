// An IPv4-mapped IPv6 peer (::ffff:a.b.c.d) matches IPv4 networks: a dual-stack listener
// reports IPv4 clients that way.
#include "net/cidr.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace ts {
namespace {
constexpr std::uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
}  // namespace

Result<Cidr> Cidr::parse(std::string_view text) {
  std::size_t slash = text.find('/');
  std::string host(text.substr(0, slash));
  Cidr c;
  if (inet_pton(AF_INET, host.c_str(), c.bytes_.data()) == 1) {
    c.family_ = AF_INET;
    c.prefix_ = 32;
  } else if (inet_pton(AF_INET6, host.c_str(), c.bytes_.data()) == 1) {
    c.family_ = AF_INET6;
    c.prefix_ = 128;
  } else {
    return fail("bad network address '" + std::string(text) + "'");
  }
  if (slash != std::string_view::npos) {
    std::string_view p = text.substr(slash + 1);
    unsigned prefix = 0;
    auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
    if (p.empty() || ec != std::errc() || ptr != p.data() + p.size() || prefix > c.prefix_) {
      return fail("bad prefix length in '" + std::string(text) + "'");
    }
    c.prefix_ = prefix;
  }
  unsigned total_bytes = c.family_ == AF_INET ? 4 : 16;
  for (unsigned i = 0; i < total_bytes; ++i) {
    unsigned bits_here = c.prefix_ > i * 8 ? std::min(8u, c.prefix_ - i * 8) : 0;
    auto mask = static_cast<std::uint8_t>(bits_here == 0 ? 0 : 0xFF << (8 - bits_here));
    if ((c.bytes_[i] & ~mask) != 0) {
      return fail("host bits set in network '" + std::string(text) + "'");
    }
  }
  return c;
}

Result<Cidr> Cidr::containing(const SocketAddress& address, unsigned prefix) {
  std::string_view bytes = address.addressBytes();
  if (bytes.size() == 16 && std::memcmp(bytes.data(), kMappedPrefix, 12) == 0)
    bytes.remove_prefix(12);
  Cidr c;
  c.family_ = bytes.size() == 4 ? AF_INET : AF_INET6;
  unsigned max_prefix = bytes.size() == 4 ? 32 : 128;
  if (bytes.size() != 4 && bytes.size() != 16) return fail(std::string("not an IP address"));
  if (prefix > max_prefix) return fail(std::string("prefix too long"));
  std::memcpy(c.bytes_.data(), bytes.data(), bytes.size());
  c.prefix_ = prefix;
  for (unsigned i = 0; i < bytes.size(); ++i) {
    unsigned bits_here = prefix > i * 8 ? std::min(8u, prefix - i * 8) : 0;
    c.bytes_[i] &= static_cast<std::uint8_t>(bits_here == 0 ? 0 : 0xFF << (8 - bits_here));
  }
  return c;
}

bool Cidr::contains(const SocketAddress& address) const {
  std::string_view bytes = address.addressBytes();
  if (family_ == AF_INET && bytes.size() == 16 &&
      std::memcmp(bytes.data(), kMappedPrefix, 12) == 0) {
    bytes.remove_prefix(12);
  }
  if ((family_ == AF_INET && bytes.size() != 4) || (family_ == AF_INET6 && bytes.size() != 16)) {
    return false;
  }
  unsigned full = prefix_ / 8;
  if (std::memcmp(bytes.data(), bytes_.data(), full) != 0) return false;
  unsigned rest = prefix_ % 8;
  if (rest == 0) return true;
  auto mask = static_cast<std::uint8_t>(0xFF << (8 - rest));
  return (static_cast<std::uint8_t>(bytes[full]) & mask) == (bytes_[full] & mask);
}

std::string Cidr::toString() const {
  char buf[INET6_ADDRSTRLEN] = {0};
  inet_ntop(family_, bytes_.data(), buf, sizeof(buf));
  return std::string(buf) + "/" + std::to_string(prefix_);
}

}  // namespace ts
