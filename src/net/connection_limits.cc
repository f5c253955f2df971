// Admission is checked at accept, before a session exists, so a refused client costs
// one 421 line and nothing else.
#include "net/connection_limits.h"

namespace ts {

ConnectionLimits::Admission ConnectionLimits::admit(const SocketAddress& peer, unsigned max_total,
                                                    unsigned max_per_address) {
  if (total_ >= max_total) return Admission::kTooManyTotal;
  std::string key(peer.addressBytes());
  unsigned& count = per_address_[key];
  if (count >= max_per_address) {
    if (count == 0) per_address_.erase(key);
    return Admission::kTooManyFromAddress;
  }
  ++count;
  ++total_;
  return Admission::kAdmitted;
}

void ConnectionLimits::release(const SocketAddress& peer) {
  auto it = per_address_.find(std::string(peer.addressBytes()));
  if (it == per_address_.end()) return;
  if (--it->second == 0) per_address_.erase(it);
  --total_;
}

}  // namespace ts
