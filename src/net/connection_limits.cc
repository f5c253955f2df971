// Admission is checked at accept, before a session exists, so a refused client costs
// one 421 line and nothing else. Counts drop to zero entries, so the maps hold only the
// clients connected now.
#include "net/connection_limits.h"

#include "net/client_network.h"

namespace ts {
namespace {

void decrement(std::unordered_map<std::string, unsigned>& counts, const std::string& key) {
  auto it = counts.find(key);
  if (it == counts.end()) return;
  if (--it->second == 0) counts.erase(it);
}

}  // namespace

ConnectionLimits::Admission ConnectionLimits::admit(const SocketAddress& peer, Bounds bounds,
                                                    bool exempt) {
  std::string address(peer.addressBytes());
  std::string network = clientNetwork(peer);
  if (!exempt) {
    auto counted = [](const auto& counts, const std::string& key) {
      auto it = counts.find(key);
      return it == counts.end() ? 0u : it->second;
    };
    if (counted(per_address_, address) >= bounds.per_address) {
      ++refusals_.per_address;
      return Admission::kTooManyFromAddress;
    }
    if (!network.empty() && counted(per_network_, network) >= bounds.per_network) {
      ++refusals_.per_network;
      return Admission::kTooManyFromNetwork;
    }
  }
  ++per_address_[address];
  if (!network.empty()) ++per_network_[network];
  ++total_;
  return Admission::kAdmitted;
}

void ConnectionLimits::release(const SocketAddress& peer) {
  std::string address(peer.addressBytes());
  if (per_address_.find(address) == per_address_.end()) return;
  decrement(per_address_, address);
  std::string network = clientNetwork(peer);
  if (!network.empty()) decrement(per_network_, network);
  --total_;
}

}  // namespace ts
