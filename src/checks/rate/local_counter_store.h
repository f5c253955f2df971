// The in-process counter store: GCRA for rates (one time point per key), a bounded
// member -> last-seen map per key for distinct counts. Bounded in keys (least recently
// used forgotten first) and in members per key; answers synchronously.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

#include "checks/rate/counter_store.h"

namespace ts {

class LocalCounterStore : public CounterStore {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  // max_keys and max_members_per_key are taken as at least 1.
  LocalCounterStore(Clock clock, std::size_t max_keys, std::size_t max_members_per_key);
  ~LocalCounterStore() override;

  // Runs `done` before returning. A refused event still marks the key as recently used,
  // so a busy offender is the last key the bound forgets.
  void consume(std::string_view key, RateSpec rate, RateDone done) override;
  // Runs `done` before returning. A key holding max_members_per_key members forgets its
  // least recently seen member for a new one, so the count saturates at that cap.
  void addDistinct(std::string_view key, std::uint64_t member, std::chrono::seconds window,
                   DistinctDone done) override;
  std::vector<CounterEntry> list(std::string_view prefix) const override;
  std::size_t clear(std::string_view prefix) override;
  // Drops keys whose state has expired; the daemon calls it once a minute.
  std::size_t prune();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace ts
