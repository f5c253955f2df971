// The counts live in the CounterStore, so a fleet sharing Redis sees one campaign as one;
// which clusters and networks are in surge is kept here, per process, where the control
// socket lists and clears them and every entry and exit is logged.
#include "checks/surge/surge_tracker.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>
#include <utility>

#include "obs/log.h"
#include "util/time_words.h"

namespace ts {
namespace {

constexpr std::string_view kClusterPrefix = "cluster-";
constexpr std::string_view kNetworkPrefix = "net-";

std::string clusterHex(std::uint64_t cluster) {
  return fmt::format("{:016x}", cluster);
}

std::uint64_t memberHash(std::string_view text) {
  return XXH3_64bits(text.data(), text.size());
}

std::string_view levelName(SurgeLevel level) {
  switch (level) {
    case SurgeLevel::kSurge:
      return "surge";
    case SurgeLevel::kConfirmed:
      return "confirmed";
    case SurgeLevel::kNone:
      break;
  }
  return "none";
}

std::string counted(std::uint64_t n, std::string_view noun) {
  return fmt::format("{} {}{}", n, noun, n == 1 ? "" : "s");
}

// The counter keys of a surge, so clearing it also forgets the counts that made it.
std::string counterPrefix(std::string_view id) {
  if (id.starts_with(kNetworkPrefix)) {
    return "surge:net:" + std::string(id.substr(kNetworkPrefix.size()));
  }
  return "surge:" + std::string(id.substr(kClusterPrefix.size())) + ":";
}

void logSurge(std::string_view action, const SurgeEntry& e,
              std::chrono::system_clock::time_point now) {
  auto active = std::chrono::duration_cast<std::chrono::seconds>(now - e.since);
  LogLine("-")
      .kv("event", "surge")
      .kv("action", action)
      .kv("id", e.id)
      .kv("level", levelName(e.level))
      .kv("messages", static_cast<unsigned long long>(e.messages))
      .kv("networks", static_cast<unsigned long long>(e.networks))
      .kv("senders", static_cast<unsigned long long>(e.senders))
      .kv("recipients", static_cast<unsigned long long>(e.recipients))
      .kv("active_s", static_cast<long long>(active.count()));
}

}  // namespace

// What one observed message is waiting for: every counter answer, then one decision.
struct SurgeTracker::Pending {
  SurgeTracker* tracker = nullptr;
  std::weak_ptr<bool> alive;
  std::uint64_t cluster = 0;
  std::string network;
  std::size_t waiting = 0;
  std::uint64_t recipients = 0, networks = 0, senders = 0;
  bool network_refused = false;
  Done done;
};

SurgeTracker::SurgeTracker(SurgeConfig config, CounterStore& counters, Clock clock,
                           std::size_t max_surges)
    : config_(std::move(config)),
      counters_(counters),
      clock_(std::move(clock)),
      max_surges_(std::max<std::size_t>(max_surges, 1)) {}

SurgeTracker::~SurgeTracker() = default;

void SurgeTracker::reconfigure(SurgeConfig config) {
  config_ = std::move(config);
}

void SurgeTracker::observe(const SurgeSample& sample, Done done) {
  if (!config_.enabled) {
    done(SurgeStatus{});
    return;
  }
  auto pending = std::make_shared<Pending>();
  pending->tracker = this;
  pending->alive = alive_;
  pending->cluster = sample.cluster;
  pending->network = sample.network;
  pending->done = std::move(done);
  bool count_cluster = sample.cluster != 0;
  bool count_network = config_.network_rate.limit > 0 && !sample.network.empty();
  // One share is held by this call until every request is out: an in-process store
  // answers inside the call and must not find the count at zero halfway through.
  pending->waiting =
      1 + (count_cluster ? sample.recipients.size() + 2 : 0) + (count_network ? 1 : 0);

  if (count_cluster) {
    std::string base = "surge:" + clusterHex(sample.cluster);
    for (const std::string& recipient : sample.recipients) {
      counters_.addDistinct(base + ":rcpt", memberHash(recipient), config_.window,
                            [pending](std::uint64_t n) {
                              // Answers may come in any order: the largest is the latest.
                              pending->recipients = std::max(pending->recipients, n);
                              arrive(pending);
                            });
    }
    counters_.addDistinct(base + ":net", memberHash(sample.network), config_.window,
                          [pending](std::uint64_t n) {
                            pending->networks = n;
                            arrive(pending);
                          });
    counters_.addDistinct(base + ":from", memberHash(sample.sender), config_.window,
                          [pending](std::uint64_t n) {
                            pending->senders = n;
                            arrive(pending);
                          });
  }
  if (count_network) {
    counters_.consume("surge:net:" + sample.network, config_.network_rate,
                      [pending](RateAnswer answer) {
                        pending->network_refused = !answer.allowed;
                        arrive(pending);
                      });
  }
  arrive(pending);
}

void SurgeTracker::arrive(const std::shared_ptr<Pending>& pending) {
  if (--pending->waiting != 0) return;
  if (pending->alive.expired()) {
    // The tracker is gone (shutdown): the message is not held by a surge nobody tracks.
    Done done = std::move(pending->done);
    done(SurgeStatus{});
    return;
  }
  pending->tracker->decide(*pending);
}

void SurgeTracker::decide(Pending& pending) {
  TimePoint now = clock_();
  SurgeStatus cluster = pending.cluster != 0 ? clusterStep(pending, now) : SurgeStatus{};
  SurgeStatus network = !pending.network.empty() ? networkStep(pending, now) : SurgeStatus{};
  Done done = std::move(pending.done);
  // The cluster names the campaign, so it wins a tie with the network.
  done(network.level > cluster.level ? std::move(network) : std::move(cluster));
}

SurgeStatus SurgeTracker::clusterStep(const Pending& p, TimePoint now) {
  std::string id = std::string(kClusterPrefix) + clusterHex(p.cluster);
  bool active = expire(id, now);
  // One business's notices (one sender, one network) never qualify, however many
  // recipients they reach: spread over networks or senders is what a campaign looks like.
  bool wide = p.recipients >= config_.cluster_recipients;
  bool surge =
      wide && (p.networks >= config_.cluster_networks || p.senders >= config_.cluster_senders);
  bool confirmed =
      wide && (p.networks >= config_.confirm_networks || p.senders >= config_.confirm_senders);
  if (!active && !surge && !confirmed) return SurgeStatus{};

  SurgeEntry* entry = nullptr;
  if (active) {
    entry = &surges_.at(id);
    ++entry->messages;
    entry->last_seen = now;
  } else {
    entry = &enter(id, confirmed ? SurgeLevel::kConfirmed : SurgeLevel::kSurge, now);
  }
  entry->networks = p.networks;
  entry->senders = p.senders;
  entry->recipients = p.recipients;
  if (!active) {
    logSurge("enter", *entry, now);
    if (confirmed) ++stats_.confirmed;
  } else if (confirmed && entry->level != SurgeLevel::kConfirmed) {
    entry->level = SurgeLevel::kConfirmed;
    logSurge("confirm", *entry, now);
    ++stats_.confirmed;
  }
  return statusOf(*entry);
}

SurgeStatus SurgeTracker::networkStep(const Pending& p, TimePoint now) {
  std::string id = std::string(kNetworkPrefix) + p.network;
  bool active = expire(id, now);
  if (!active && !p.network_refused) return SurgeStatus{};
  if (!active) {
    SurgeEntry& entry = enter(id, SurgeLevel::kSurge, now);
    entry.networks = 1;
    logSurge("enter", entry, now);
    return statusOf(entry);
  }
  SurgeEntry& entry = surges_.at(id);
  ++entry.messages;
  // Only mail over the rate keeps a network's surge going: a busy network that slows
  // down gets out after `hold`, however steadily it keeps sending.
  if (p.network_refused) entry.last_seen = now;
  return statusOf(entry);
}

bool SurgeTracker::isOver(const SurgeEntry& entry, TimePoint now) const {
  return now > entry.last_seen + config_.hold;
}

bool SurgeTracker::expire(const std::string& id, TimePoint now) {
  auto it = surges_.find(id);
  if (it == surges_.end()) return false;
  if (!isOver(it->second, now)) return true;
  logSurge("exit", it->second, now);
  ++stats_.exited;
  surges_.erase(it);
  return false;
}

SurgeEntry& SurgeTracker::enter(const std::string& id, SurgeLevel level, TimePoint now) {
  if (surges_.size() >= max_surges_) sweep();
  if (surges_.size() >= max_surges_) {
    auto idlest = std::min_element(
        surges_.begin(), surges_.end(),
        [](const auto& a, const auto& b) { return a.second.last_seen < b.second.last_seen; });
    logSurge("drop", idlest->second, now);
    ++stats_.exited;
    surges_.erase(idlest);
  }
  SurgeEntry& entry = surges_[id];
  entry.id = id;
  entry.level = level;
  entry.since = now;
  entry.last_seen = now;
  entry.messages = 1;
  ++stats_.entered;
  return entry;
}

SurgeStatus SurgeTracker::statusOf(const SurgeEntry& entry) const {
  return SurgeStatus{entry.level, entry.id, reasonFor(entry)};
}

std::string SurgeTracker::reasonFor(const SurgeEntry& e) const {
  if (e.id.starts_with(kNetworkPrefix)) {
    std::string_view network = std::string_view(e.id).substr(kNetworkPrefix.size());
    std::string limit;
    if (config_.network_rate.limit > 0) {
      limit = fmt::format(" (more than {} messages in {})", config_.network_rate.limit,
                          durationWords(config_.network_rate.window));
    }
    return fmt::format(
        "Mail from your network ({}) is arriving faster than this gateway accepts from one "
        "network{} (surge {}); it is deferred, retry later.",
        network, limit, e.id);
  }
  if (e.level == SurgeLevel::kConfirmed) {
    std::string_view what = "Message refused";
    if (config_.confirmed_action == Action::kTempfail) what = "Message deferred";
    if (config_.confirmed_action == Action::kQuarantine) what = "Message held for review";
    return fmt::format(
        "{}: it belongs to a bulk spam campaign arriving from {} and {} "
        "(surge {}). If you sent it on purpose, authenticate your mail (SPF/DKIM) and ask "
        "the gateway operator to allowlist your domain.",
        what, counted(e.networks, "network"), counted(e.senders, "sender"), e.id);
  }
  return fmt::format(
      "A bulk campaign resembling this message is arriving from many networks right now "
      "(surge {}); unauthenticated mail like it is deferred until the surge ends. Retry "
      "later; legitimate senders can avoid this by authenticating (SPF/DKIM) and asking the "
      "gateway operator to allowlist their domain.",
      e.id);
}

SurgeStatus SurgeTracker::networkStatus(std::string_view network) {
  if (!config_.enabled) return SurgeStatus{};
  auto it = surges_.find(std::string(kNetworkPrefix) + std::string(network));
  // An expired surge is left for sweep() to log: this call only reads.
  if (it == surges_.end() || isOver(it->second, clock_())) return SurgeStatus{};
  return statusOf(it->second);
}

void SurgeTracker::sweep() {
  TimePoint now = clock_();
  for (auto it = surges_.begin(); it != surges_.end();) {
    if (isOver(it->second, now)) {
      logSurge("exit", it->second, now);
      ++stats_.exited;
      it = surges_.erase(it);
    } else {
      ++it;
    }
  }
}

std::vector<SurgeEntry> SurgeTracker::list() {
  sweep();
  std::vector<SurgeEntry> out;
  out.reserve(surges_.size());
  for (const auto& [id, entry] : surges_) out.push_back(entry);
  std::sort(out.begin(), out.end(), [](const SurgeEntry& a, const SurgeEntry& b) {
    return a.since != b.since ? a.since < b.since : a.id < b.id;
  });
  return out;
}

std::size_t SurgeTracker::clear(std::string_view id) {
  // Expired surges end as exits, not as clears: the counts say what the operator did.
  sweep();
  TimePoint now = clock_();
  if (id.empty()) {
    for (const auto& [key, entry] : surges_) logSurge("cleared", entry, now);
    std::size_t n = surges_.size();
    surges_.clear();
    counters_.clear("surge:");
    stats_.cleared += n;
    return n;
  }
  auto it = surges_.find(std::string(id));
  if (it == surges_.end()) return 0;
  logSurge("cleared", it->second, now);
  counters_.clear(counterPrefix(id));
  surges_.erase(it);
  ++stats_.cleared;
  return 1;
}

}  // namespace ts
