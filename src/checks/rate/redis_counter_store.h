// The fleet's counter store (DESIGN.md "Scaling out"): rate and distinct counters kept in
// Redis, shared by every process pointing at it, through hiredis's libevent adapter on the
// daemon's loop. When Redis is down, slow or answers nonsense, the process counts with its
// own LocalCounterStore until Redis answers again; each spell is logged once, and its
// recovery, and health() says which counters are in use for the control socket's status.
#pragma once

#include <event2/event.h>

#include <cstdint>
#include <memory>
#include <string>

#include "checks/rate/counter_store.h"
#include "checks/rate/local_counter_store.h"
#include "checks/rate/redis_config.h"

namespace ts {

struct RedisHealth {
  bool up = false;                    // counting in Redis now
  std::uint64_t fallback_spells = 0;  // times it fell back to the local counters
  std::uint64_t answered_shared = 0;  // answers from Redis
  std::uint64_t answered_local = 0;   // answers from the local counters (fallback, startup)
  std::string last_error;             // why the last spell began
};

class RedisCounterStore : public CounterStore {
 public:
  // Connects at once, without blocking; until Redis has answered the connect, counters are
  // local. `local` is the fallback and must outlive this store; max_members_per_key bounds
  // the distinct counts as it bounds local's.
  RedisCounterStore(event_base* base, RedisConfig config, LocalCounterStore& local,
                    std::size_t max_members_per_key);
  ~RedisCounterStore() override;
  RedisCounterStore(const RedisCounterStore&) = delete;
  RedisCounterStore& operator=(const RedisCounterStore&) = delete;

  // Answers from Redis within redis_timeout, or from the local counters (at once when Redis
  // is down, or at the timeout). Every event Redis counts is counted locally too, so a
  // fallback starts from this process's recent history rather than from nothing.
  void consume(std::string_view key, RateSpec rate, RateDone done) override;
  void addDistinct(std::string_view key, std::uint64_t member, std::chrono::seconds window,
                   DistinctDone done) override;
  // This process's local view: the control socket's interface answers at once, and a
  // fleet-wide listing would wait on Redis. Shows this process's share of each count.
  std::vector<CounterEntry> list(std::string_view prefix) const override;
  // Clears the local counters at once (their count is returned) and the fleet's keys in
  // Redis in the background; while Redis is down only the local ones.
  std::size_t clear(std::string_view prefix) override;

  RedisHealth health() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace ts
