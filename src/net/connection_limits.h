// Counts open client connections, in total, per client address and per client network
// (IPv4 /24, IPv6 /64), so one sender, one site or a flood cannot take every slot.
// Trusted networks are counted but never refused by address or network, as Postfix
// exempts $mynetworks from smtpd_client_connection_count_limit.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "net/socket_address.h"

namespace ts {

class ConnectionLimits {
 public:
  enum class Admission { kAdmitted, kTooManyFromAddress, kTooManyFromNetwork };
  struct Bounds {
    unsigned per_address;
    unsigned per_network;
  };
  // Refusals since start, by reason, for the control socket's status (the overload
  // refusals are the OverloadMonitor's).
  struct Refusals {
    std::uint64_t per_address = 0;
    std::uint64_t per_network = 0;
  };

  // Every slot is taken: the caller refuses the client before building anything for it.
  bool full(unsigned max_total) const { return total_ >= max_total; }
  // Counts the connection when admitted; an exempt (trusted) client is always admitted.
  Admission admit(const SocketAddress& peer, Bounds bounds, bool exempt);
  // For every admitted connection, once, when it closes.
  void release(const SocketAddress& peer);
  unsigned total() const { return total_; }
  const Refusals& refusals() const { return refusals_; }

 private:
  unsigned total_ = 0;
  std::unordered_map<std::string, unsigned> per_address_;
  std::unordered_map<std::string, unsigned> per_network_;
  Refusals refusals_;
};

}  // namespace ts
