// Built from the address bytes, never from text, so no address form can produce a name
// outside the intended zone.
#include "dns/reverse_name.h"

#include <fmt/format.h>

namespace ts::dns {

std::string reversedAddress(const SocketAddress& address) {
  std::string_view bytes = address.unmappedBytes();
  std::string out;
  if (bytes.size() == 4) {
    for (int i = 3; i >= 0; --i) {
      if (!out.empty()) out.push_back('.');
      out += std::to_string(static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]));
    }
    return out;
  }
  if (bytes.size() == 16) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.reserve(63);
    for (int i = 15; i >= 0; --i) {
      auto b = static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
      if (!out.empty()) out.push_back('.');
      out.push_back(kHex[b & 0xF]);
      out.push_back('.');
      out.push_back(kHex[b >> 4]);
    }
  }
  return out;
}

std::string ptrName(const SocketAddress& address) {
  std::string reversed = reversedAddress(address);
  if (reversed.empty()) return reversed;
  return fmt::format("{}.{}", reversed,
                     address.unmappedBytes().size() == 4 ? "in-addr.arpa" : "ip6.arpa");
}

}  // namespace ts::dns
