// The counters behind rate limits, abuse windows and surge detection. In-process by
// default (LocalCounterStore); the interface answers through callbacks so a fleet can
// put the same counters in Redis (hiredis's libevent adapter) without a blocking call.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ts {

// A rate: at most `limit` events per `window`, with bursts of up to `limit` allowed.
struct RateSpec {
  std::uint32_t limit = 0;  // 0: unlimited
  std::chrono::seconds window{0};
};

struct RateAnswer {
  bool allowed = true;
  // When the next event would be allowed (0 when allowed).
  std::chrono::seconds retry_after{0};
};

// One counter, for `textscreenctl counters list`.
struct CounterEntry {
  std::string key;
  std::string kind;  // "rate" or "distinct"
  // rate: the events counted against the limit now; distinct: members seen in the window
  std::uint64_t value = 0;
  std::chrono::seconds expires_in{0};  // when the key is forgotten if nothing else happens
};

class CounterStore {
 public:
  using RateDone = std::function<void(RateAnswer)>;
  using DistinctDone = std::function<void(std::uint64_t distinct)>;

  virtual ~CounterStore() = default;

  // Takes one event from key's allowance (GCRA: exact retry time, one number per key).
  // A refused event is not counted, so a sender that waits as told gets through.
  // `done` may run before this returns (in-process) or later (a remote store).
  virtual void consume(std::string_view key, RateSpec rate, RateDone done) = 0;
  // Records `member` (a hash) in key's sliding window and answers how many distinct
  // members the window holds now.
  virtual void addDistinct(std::string_view key, std::uint64_t member, std::chrono::seconds window,
                           DistinctDone done) = 0;

  virtual std::vector<CounterEntry> list(std::string_view prefix) const = 0;
  // Forgets every key starting with prefix ("" = all); returns how many.
  virtual std::size_t clear(std::string_view prefix) = 0;
};

}  // namespace ts
