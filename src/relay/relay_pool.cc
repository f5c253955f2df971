// The idle list is LIFO: the most recently used connection is the least likely to have
// been closed by the gateway's own idle timeout.
#include "relay/relay_pool.h"

#include <algorithm>

namespace ts {

RelayPool::RelayPool(event_base* base, PoolSettings settings)
    : base_(base), settings_(std::move(settings)) {
  settings_.gateway.stats = stats_;
}

RelayPool::~RelayPool() {
  closeIdle();
  for (const auto& [raw, c] : resetting_) c->abandon();
}

RelayPool::Lease RelayPool::acquire(bool fresh) {
  while (!fresh && !idle_.empty()) {
    std::shared_ptr<GatewayConnection> c = std::move(idle_.back());
    idle_.pop_back();
    c->unpark();
    if (!c->broken()) return Lease{std::move(c), true};
  }
  return Lease{GatewayConnection::open(base_, settings_.gateway), false};
}

void RelayPool::release(std::shared_ptr<GatewayConnection> connection, bool transaction_open) {
  if (!connection || connection->broken()) return;
  if (!transaction_open && !connection->busy()) {
    park(std::move(connection));
    return;
  }
  GatewayConnection* raw = connection.get();
  resetting_.emplace(raw, std::move(connection));
  raw->command("RSET", [this, raw](const GatewayReply& reply) {
    auto it = resetting_.find(raw);
    if (it == resetting_.end()) return;
    std::shared_ptr<GatewayConnection> c = std::move(it->second);
    resetting_.erase(it);
    if (reply.positive()) park(std::move(c));
  });
}

void RelayPool::park(std::shared_ptr<GatewayConnection> connection) {
  if (idle_.size() >= settings_.max_idle) {
    connection->abandon();
    return;
  }
  connection->park(settings_.idle_timeout, [this](GatewayConnection* gone) { forget(gone); });
  idle_.push_back(std::move(connection));
}

void RelayPool::forget(GatewayConnection* connection) {
  auto it = std::find_if(idle_.begin(), idle_.end(),
                         [connection](const auto& c) { return c.get() == connection; });
  if (it != idle_.end()) idle_.erase(it);
}

void RelayPool::reconfigure(PoolSettings settings) {
  settings_ = std::move(settings);
  settings_.gateway.stats = stats_;
  closeIdle();
}

std::size_t RelayPool::inUseCount() const {
  std::uint64_t open = stats_->opened - stats_->closed;
  std::uint64_t pooled = idle_.size() + resetting_.size();
  return open > pooled ? static_cast<std::size_t>(open - pooled) : 0;
}

void RelayPool::closeIdle() {
  std::vector<std::shared_ptr<GatewayConnection>> idle = std::move(idle_);
  idle_.clear();
  for (const auto& c : idle) c->abandon();
}

}  // namespace ts
