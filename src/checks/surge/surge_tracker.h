// Surge mode: counts each campaign cluster's distinct recipients, senders and client
// networks over a sliding window (on the counter store) and each client network's message
// rate; a cluster or network crossing its threshold is in surge until `hold` passes
// without a message keeping it there. Unauthenticated mail of a surge is deferred (451
// 4.7.1), a confirmed campaign refused or quarantined per config; the session decides who
// is authenticated. Lives in the daemon across reloads; every entry and exit is logged and
// counted; `textscreenctl surge list|clear` reads and ends them.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "checks/rate/counter_store.h"
#include "checks/surge/surge_config.h"

namespace ts {

enum class SurgeLevel { kNone, kSurge, kConfirmed };

struct SurgeSample {
  std::uint64_t cluster = 0;  // from ClusterIndex; 0: no body to cluster
  std::string sender;         // envelope sender address ("" for the null sender)
  std::vector<std::string> recipients;
  std::string network;  // "198.51.100.0/24" or "2001:db8:1:2::/64"
};

struct SurgeStatus {
  SurgeLevel level = SurgeLevel::kNone;
  std::string id;      // "cluster-<hex>" or "net-198.51.100.0/24"; empty when none
  std::string reason;  // plain words for the sender's admin, when level != kNone
};

struct SurgeEntry {
  std::string id;
  SurgeLevel level = SurgeLevel::kNone;
  std::chrono::system_clock::time_point since;
  std::chrono::system_clock::time_point last_seen;          // it ends at last_seen + hold
  std::uint64_t messages = 0;                               // seen during the surge
  std::uint64_t networks = 0, senders = 0, recipients = 0;  // distinct, at the last count
};

struct SurgeStats {
  std::uint64_t entered = 0, exited = 0, cleared = 0, deferred = 0, confirmed = 0;
  std::uint64_t rejected = 0, quarantined = 0;
};

class SurgeTracker {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  using Done = std::function<void(SurgeStatus)>;

  // Beyond this many active surges the one idle longest is dropped: memory stays bounded
  // even when a botnet makes every network a surge of its own.
  static constexpr std::size_t kMaxSurges = 10000;

  SurgeTracker(SurgeConfig config, CounterStore& counters, Clock clock,
               std::size_t max_surges = kMaxSurges);
  ~SurgeTracker();
  SurgeTracker(const SurgeTracker&) = delete;
  SurgeTracker& operator=(const SurgeTracker&) = delete;
  void reconfigure(SurgeConfig config);  // a reload: active surges are kept

  // Counts one message (unless config is off: then answers kNone) and answers the level
  // of its cluster or network, whichever is higher.
  void observe(const SurgeSample& sample, Done done);
  // Only reads: the level of a network now (for a message with no body to cluster).
  SurgeStatus networkStatus(std::string_view network);

  // Ends the surges whose hold has passed, logging each exit; the daemon calls it often.
  void sweep();
  std::vector<SurgeEntry> list();
  // "" ends every surge; returns how many ended. Logged and counted as cleared. The
  // surge's counters are forgotten too, so its next message does not re-enter at once.
  std::size_t clear(std::string_view id);
  // Which outcome the session counted; for the stats.
  void countDeferred() { ++stats_.deferred; }
  void countRejected() { ++stats_.rejected; }
  void countQuarantined() { ++stats_.quarantined; }
  const SurgeStats& stats() const { return stats_; }
  // Surges held now; one whose hold passed since the last sweep still counts.
  std::size_t activeCount() const { return surges_.size(); }

 private:
  struct Pending;
  using TimePoint = std::chrono::system_clock::time_point;

  static void arrive(const std::shared_ptr<Pending>& pending);
  void decide(Pending& pending);
  SurgeStatus clusterStep(const Pending& pending, TimePoint now);
  SurgeStatus networkStep(const Pending& pending, TimePoint now);
  // Ends `id`'s surge when its hold has passed; true when it is (still) active.
  bool expire(const std::string& id, TimePoint now);
  bool isOver(const SurgeEntry& entry, TimePoint now) const;
  SurgeEntry& enter(const std::string& id, SurgeLevel level, TimePoint now);
  SurgeStatus statusOf(const SurgeEntry& entry) const;
  std::string reasonFor(const SurgeEntry& entry) const;

  SurgeConfig config_;
  CounterStore& counters_;
  Clock clock_;
  std::size_t max_surges_;
  std::unordered_map<std::string, SurgeEntry> surges_;  // by id
  // Answers of a remote store may arrive after the tracker is gone (shutdown).
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  SurgeStats stats_;
};

}  // namespace ts
