// The in-process counters: one GCRA time point per rate key and a recency-ordered member
// list per distinct key, all under one key bound. Keys sit in an ordered map so that the
// control socket's list and clear by prefix visit only the keys they name.
#include "checks/rate/local_counter_store.h"

#include <algorithm>
#include <list>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>

namespace ts {
namespace {

using TimePoint = std::chrono::system_clock::time_point;
using Span = std::chrono::system_clock::duration;

// GCRA keeps only the theoretical arrival time (TAT) of the next event at the steady rate:
// an event is allowed while the TAT is at most one window ahead of now, less one interval.
struct RateState {
  TimePoint tat;
  Span interval{};  // window / limit: the steady spacing of events
};

// Members ordered by when they were last seen, newest first: expiry and eviction both take
// from the back, so neither needs a scan.
struct DistinctState {
  struct Member {
    std::uint64_t hash;
    TimePoint seen;
  };
  std::list<Member> by_recency;
  std::unordered_map<std::uint64_t, std::list<Member>::iterator> index;
  std::chrono::seconds window{0};

  void dropSeenBefore(TimePoint cutoff) {
    while (!by_recency.empty() && by_recency.back().seen <= cutoff) {
      index.erase(by_recency.back().hash);
      by_recency.pop_back();
    }
  }
};

struct Entry {
  std::variant<RateState, DistinctState> state;
  std::list<std::string_view>::iterator lru;
};

std::chrono::seconds ceilSeconds(Span d) {
  return std::chrono::ceil<std::chrono::seconds>(std::max(d, Span::zero()));
}

// What list() shows for a key; nothing when the key's state has run out.
std::optional<CounterEntry> describe(const std::string& key, const Entry& entry, TimePoint now) {
  if (const auto* r = std::get_if<RateState>(&entry.state)) {
    Span left = r->tat - now;
    if (left <= Span::zero()) return std::nullopt;
    std::uint64_t counted =
        r->interval > Span::zero()
            ? static_cast<std::uint64_t>((left + r->interval - Span(1)) / r->interval)
            : 0;
    return CounterEntry{key, "rate", counted, ceilSeconds(left)};
  }
  const auto& d = std::get<DistinctState>(entry.state);
  TimePoint cutoff = now - d.window;
  std::uint64_t members = 0;
  for (const auto& m : d.by_recency) {
    if (m.seen <= cutoff) break;
    ++members;
  }
  if (members == 0) return std::nullopt;
  return CounterEntry{key, "distinct", members,
                      ceilSeconds(d.by_recency.front().seen + d.window - now)};
}

}  // namespace

struct LocalCounterStore::State {
  using Keys = std::map<std::string, Entry, std::less<>>;

  Clock clock;
  std::size_t max_keys;
  std::size_t max_members;
  Keys keys;
  // Most recently used first; the views point into the map's keys, which never move.
  std::list<std::string_view> lru;

  // The key's entry, created when new (forgetting the least recently used key when the
  // bound is reached), and marked as the most recently used.
  Entry& touch(std::string_view key) {
    if (auto it = keys.find(key); it != keys.end()) {
      lru.splice(lru.begin(), lru, it->second.lru);
      return it->second;
    }
    if (keys.size() >= max_keys) erase(keys.find(lru.back()));
    auto it = keys.emplace(std::string(key), Entry{}).first;
    lru.push_front(it->first);
    it->second.lru = lru.begin();
    return it->second;
  }

  Keys::iterator erase(Keys::iterator it) {
    lru.erase(it->second.lru);
    return keys.erase(it);
  }
};

LocalCounterStore::LocalCounterStore(Clock clock, std::size_t max_keys,
                                     std::size_t max_members_per_key)
    : state_(std::make_unique<State>(State{std::move(clock),
                                           std::max<std::size_t>(max_keys, 1),
                                           std::max<std::size_t>(max_members_per_key, 1),
                                           {},
                                           {}})) {}

LocalCounterStore::~LocalCounterStore() = default;

void LocalCounterStore::consume(std::string_view key, RateSpec rate, RateDone done) {
  // An unlimited rate keeps no state: turning a limit off must not fill the store.
  if (rate.limit == 0 || rate.window <= std::chrono::seconds::zero()) {
    done(RateAnswer{});
    return;
  }
  TimePoint now = state_->clock();
  Span window = rate.window;
  Span interval = window / rate.limit;
  Entry& entry = state_->touch(key);
  auto* r = std::get_if<RateState>(&entry.state);
  if (r == nullptr) r = &entry.state.emplace<RateState>();
  TimePoint tat = std::max(r->tat, now);
  TimePoint allowed_at = tat - window + interval;
  if (now < allowed_at) {
    // Refused events leave the TAT alone: a client that waits as told gets through.
    done(RateAnswer{false, std::max(ceilSeconds(allowed_at - now), std::chrono::seconds(1))});
    return;
  }
  r->tat = tat + interval;
  r->interval = interval;
  done(RateAnswer{});
}

void LocalCounterStore::addDistinct(std::string_view key, std::uint64_t member,
                                    std::chrono::seconds window, DistinctDone done) {
  TimePoint now = state_->clock();
  Entry& entry = state_->touch(key);
  auto* d = std::get_if<DistinctState>(&entry.state);
  if (d == nullptr) d = &entry.state.emplace<DistinctState>();
  d->window = window;
  d->dropSeenBefore(now - window);
  if (auto it = d->index.find(member); it != d->index.end()) {
    it->second->seen = now;
    d->by_recency.splice(d->by_recency.begin(), d->by_recency, it->second);
  } else {
    if (d->index.size() >= state_->max_members) {
      d->index.erase(d->by_recency.back().hash);
      d->by_recency.pop_back();
    }
    d->by_recency.push_front({member, now});
    d->index.emplace(member, d->by_recency.begin());
  }
  std::uint64_t distinct = d->by_recency.size();
  done(distinct);
}

std::vector<CounterEntry> LocalCounterStore::list(std::string_view prefix) const {
  TimePoint now = state_->clock();
  std::vector<CounterEntry> out;
  for (auto it = state_->keys.lower_bound(prefix);
       it != state_->keys.end() && std::string_view(it->first).starts_with(prefix); ++it) {
    if (auto entry = describe(it->first, it->second, now)) out.push_back(std::move(*entry));
  }
  return out;
}

std::size_t LocalCounterStore::clear(std::string_view prefix) {
  std::size_t removed = 0;
  auto it = state_->keys.lower_bound(prefix);
  while (it != state_->keys.end() && std::string_view(it->first).starts_with(prefix)) {
    it = state_->erase(it);
    ++removed;
  }
  return removed;
}

std::size_t LocalCounterStore::prune() {
  TimePoint now = state_->clock();
  std::size_t removed = 0;
  for (auto it = state_->keys.begin(); it != state_->keys.end();) {
    bool expired = false;
    if (auto* r = std::get_if<RateState>(&it->second.state)) {
      expired = r->tat <= now;
    } else {
      auto& d = std::get<DistinctState>(it->second.state);
      d.dropSeenBefore(now - d.window);
      expired = d.by_recency.empty();
    }
    if (expired) {
      it = state_->erase(it);
      ++removed;
    } else {
      ++it;
    }
  }
  return removed;
}

}  // namespace ts
