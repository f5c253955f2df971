// Maps fingerprints to campaign clusters: a message joins the cluster of an earlier one
// whose fingerprint is similar enough (exact match, or MinHash similarity at or above the
// threshold, found through locality-sensitive bands), or starts a new cluster. Bounded:
// the least recently seen clusters are forgotten.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <list>
#include <unordered_map>

#include "checks/fingerprint/body_fingerprint.h"

namespace ts {

class ClusterIndex {
 public:
  // Bands of kBandSlots slots each: two fingerprints become candidates when one band is
  // equal. 10 x 3 finds a pair of similarity 0.7 with probability 0.985 and 0.6 with 0.91,
  // while a pair of 0.1 is a candidate 1% of the time (then refused by the threshold).
  static constexpr std::size_t kBands = 10;
  static constexpr std::size_t kBandSlots = 3;
  // Member texts whose exact hash finds the cluster without LSH, besides the first.
  static constexpr std::size_t kExactPerCluster = 4;

  ClusterIndex(std::size_t capacity, double min_similarity);
  ~ClusterIndex();
  ClusterIndex(const ClusterIndex&) = delete;
  ClusterIndex& operator=(const ClusterIndex&) = delete;

  // The cluster id (never 0) of fp; 0 for an empty fingerprint.
  std::uint64_t assign(const BodyFingerprint& fp);
  std::size_t size() const;

 private:
  struct Cluster {
    BodyFingerprint representative;  // the first member: later ones are judged against it
    std::array<std::uint64_t, kExactPerCluster> exact{};  // 0: unused
    std::list<std::uint64_t>::iterator recency;
  };

  std::uint64_t create(const BodyFingerprint& fp);
  void touch(Cluster& cluster);
  void evictOldest();

  std::size_t capacity_;
  double min_similarity_;
  std::unordered_map<std::uint64_t, Cluster> clusters_;     // by id
  std::list<std::uint64_t> recency_;                        // ids, most recently assigned first
  std::unordered_map<std::uint64_t, std::uint64_t> exact_;  // exact hash -> id
  // band key -> id of the latest cluster with that band; an older cluster sharing it is
  // still found through its other bands.
  std::unordered_map<std::uint64_t, std::uint64_t> bands_;
};

}  // namespace ts
