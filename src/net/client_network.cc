// Built on Cidr::containing, which already masks the host bits and reads an IPv4-mapped
// address as IPv4, so the network text is what inet_ntop prints for the masked address.
#include "net/client_network.h"

#include "net/cidr.h"

namespace ts {

std::string clientNetwork(const SocketAddress& peer) {
  std::size_t size = peer.unmappedBytes().size();
  if (size != 4 && size != 16) return {};
  auto network = Cidr::containing(peer, size == 4 ? 24 : 64);
  if (!network) return {};
  return network->toString();
}

}  // namespace ts
