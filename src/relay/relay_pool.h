// Keeps idle gateway connections for reuse, so a message costs no TCP handshake and no
// EHLO. A connection comes back clean (RSET when a transaction was left open) or is closed.
#pragma once

#include <event2/event.h>

#include <memory>
#include <unordered_map>
#include <vector>

#include "relay/gateway_connection.h"

namespace ts {

struct PoolSettings {
  GatewaySettings gateway;
  unsigned max_idle = 0;
  Duration idle_timeout{};
};

class RelayPool {
 public:
  RelayPool(event_base* base, PoolSettings settings);
  ~RelayPool();
  RelayPool(const RelayPool&) = delete;
  RelayPool& operator=(const RelayPool&) = delete;

  struct Lease {
    std::shared_ptr<GatewayConnection> connection;
    bool reused = false;  // came from the idle list: may have been closed by the gateway
  };
  // A connected idle connection if there is one (unless fresh), else a new one whose
  // commands wait until it is ready.
  Lease acquire(bool fresh);
  // Takes a connection back. transaction_open: MAIL was sent and not finished by DATA.
  void release(std::shared_ptr<GatewayConnection> connection, bool transaction_open);
  // New settings apply to new connections; idle ones made with the old ones are closed.
  void reconfigure(PoolSettings settings);
  void closeIdle();
  std::size_t idleCount() const { return idle_.size(); }
  // Held by sessions: open connections neither idle nor being reset for reuse.
  std::size_t inUseCount() const;
  const GatewayStats& stats() const { return *stats_; }

 private:
  void park(std::shared_ptr<GatewayConnection> connection);
  void forget(GatewayConnection* connection);

  event_base* base_;
  std::shared_ptr<GatewayStats> stats_ = std::make_shared<GatewayStats>();
  PoolSettings settings_;
  std::vector<std::shared_ptr<GatewayConnection>> idle_;
  std::unordered_map<GatewayConnection*, std::shared_ptr<GatewayConnection>> resetting_;
};

}  // namespace ts
