// Counts open client connections, in total and per client address, so one sender (or a
// flood) cannot take every slot. Addresses are counted exactly; per-network limits come
// with the reliability work.
#pragma once

#include <string>
#include <unordered_map>

#include "net/socket_address.h"

namespace ts {

class ConnectionLimits {
 public:
  enum class Admission { kAdmitted, kTooManyTotal, kTooManyFromAddress };

  Admission admit(const SocketAddress& peer, unsigned max_total, unsigned max_per_address);
  void release(const SocketAddress& peer);
  unsigned total() const { return total_; }

 private:
  unsigned total_ = 0;
  std::unordered_map<std::string, unsigned> per_address_;
};

}  // namespace ts
