// The DNS answers textscreen already knows, each kept for its TTL (clamped to configured
// bounds), with a size bound that drops the least recently used; listable and clearable
// so the CLI can show and flush it (STYLE.md item 8).
#pragma once

#include <arpa/nameser.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "dns/dns_answer.h"

namespace ts::dns {

using Clock = std::function<std::chrono::steady_clock::time_point()>;

struct CacheSettings {
  std::size_t max_entries = 10000;
  std::chrono::seconds min_ttl{0};
  std::chrono::seconds max_ttl{86400};
};

struct CacheEntry {
  std::string name;
  ns_type type = ns_t_a;
  DnsAnswer answer;  // ttl is the time left
};

class DnsCache {
 public:
  explicit DnsCache(CacheSettings settings) : settings_(settings) {}

  // The cached answer with its TTL lowered to the time left, or nothing if absent/expired.
  std::optional<DnsAnswer> get(const std::string& name, ns_type type,
                               std::chrono::steady_clock::time_point now);
  // Keeps answers that are facts about the name (records, NXDOMAIN, NODATA); temporary
  // faults are not kept, so the next lookup asks again.
  void put(const std::string& name, ns_type type, const DnsAnswer& answer,
           std::chrono::steady_clock::time_point now);

  std::vector<CacheEntry> list(std::chrono::steady_clock::time_point now) const;
  void clear();
  std::size_t size() const { return index_.size(); }

 private:
  struct Slot {
    std::string key;
    CacheEntry entry;
    std::chrono::steady_clock::time_point expires;
  };
  using Order = std::list<Slot>;

  void erase(Order::iterator it);

  CacheSettings settings_;
  Order order_;  // most recently used first
  std::unordered_map<std::string, Order::iterator> index_;
};

// Cache key and in-flight key: DNS names compare without regard to case or a final dot.
std::string cacheKey(const std::string& name, ns_type type);

}  // namespace ts::dns
