// Cluster lookup is an exact-hash probe, then at most kBands band probes each costing one
// 32-slot comparison; every map entry belongs to a live cluster and goes with it, so
// memory stays proportional to the capacity.
#include "checks/fingerprint/cluster_index.h"

#include <xxhash.h>

#include <algorithm>

namespace ts {
namespace {

static_assert(ClusterIndex::kBands * ClusterIndex::kBandSlots <= BodyFingerprint::kSlots);

// The band index is the seed, so equal slot values in different bands are different keys.
std::array<std::uint64_t, ClusterIndex::kBands> bandKeys(const BodyFingerprint& fp) {
  std::array<std::uint64_t, ClusterIndex::kBands> keys{};
  for (std::size_t b = 0; b < ClusterIndex::kBands; ++b) {
    keys[b] = XXH3_64bits_withSeed(&fp.minhash[b * ClusterIndex::kBandSlots],
                                   ClusterIndex::kBandSlots * sizeof(std::uint64_t), b);
  }
  return keys;
}

}  // namespace

ClusterIndex::ClusterIndex(std::size_t capacity, double min_similarity)
    : capacity_(std::max<std::size_t>(capacity, 1)), min_similarity_(min_similarity) {}

ClusterIndex::~ClusterIndex() = default;

std::size_t ClusterIndex::size() const {
  return clusters_.size();
}

std::uint64_t ClusterIndex::assign(const BodyFingerprint& fp) {
  if (fp.empty) return 0;
  if (auto hit = exact_.find(fp.exact); hit != exact_.end()) {
    touch(clusters_.find(hit->second)->second);
    return hit->second;
  }

  std::array<std::uint64_t, kBands> keys = bandKeys(fp);
  std::array<std::uint64_t, kBands> judged{};
  std::size_t judged_count = 0;
  std::uint64_t best_id = 0;
  double best = -1;
  for (std::uint64_t key : keys) {
    auto band = bands_.find(key);
    if (band == bands_.end()) continue;
    std::uint64_t id = band->second;
    if (std::find(judged.begin(), judged.begin() + judged_count, id) !=
        judged.begin() + judged_count) {
      continue;
    }
    judged[judged_count++] = id;
    double s = similarity(fp, clusters_.find(id)->second.representative);
    if (s > best) {
      best = s;
      best_id = id;
    }
  }
  if (best_id == 0 || best < min_similarity_) return create(fp);

  Cluster& cluster = clusters_.find(best_id)->second;
  touch(cluster);
  // A few members' exact hashes let their repeats skip the bands; the first free place
  // takes it, so a cluster never holds more than kExactPerCluster of them.
  for (std::uint64_t& slot : cluster.exact) {
    if (slot != 0) continue;
    slot = fp.exact;
    exact_.emplace(fp.exact, best_id);
    break;
  }
  return best_id;
}

std::uint64_t ClusterIndex::create(const BodyFingerprint& fp) {
  if (clusters_.size() >= capacity_) evictOldest();
  // The first member's exact hash names the cluster, so the same campaign gets the same id
  // in every process of a fleet; 0 means "no cluster", and a live id is never reused.
  std::uint64_t id = fp.exact;
  while (id == 0 || clusters_.count(id) != 0) id = XXH3_64bits(&id, sizeof id);

  recency_.push_front(id);
  Cluster& cluster = clusters_[id];
  cluster.representative = fp;
  cluster.recency = recency_.begin();
  if (fp.exact != 0) {
    cluster.exact[0] = fp.exact;
    exact_[fp.exact] = id;
  }
  for (std::uint64_t key : bandKeys(fp)) bands_[key] = id;
  return id;
}

void ClusterIndex::touch(Cluster& cluster) {
  recency_.splice(recency_.begin(), recency_, cluster.recency);
}

void ClusterIndex::evictOldest() {
  std::uint64_t id = recency_.back();
  recency_.pop_back();
  auto found = clusters_.find(id);
  const Cluster& cluster = found->second;
  for (std::uint64_t exact : cluster.exact) {
    auto e = exact_.find(exact);
    if (exact != 0 && e != exact_.end() && e->second == id) exact_.erase(e);
  }
  // A band key a newer cluster took over stays with it.
  for (std::uint64_t key : bandKeys(cluster.representative)) {
    auto b = bands_.find(key);
    if (b != bands_.end() && b->second == id) bands_.erase(b);
  }
  clusters_.erase(found);
}

}  // namespace ts
