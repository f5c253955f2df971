// A TTL + LRU map of DNS answers. Expired entries are dropped when met and pushed out by
// the size bound, so no sweeping timer is needed.
#include "dns/dns_cache.h"

#include <algorithm>

#include "util/ascii.h"

namespace ts::dns {

using std::chrono::seconds;
using std::chrono::steady_clock;

std::string cacheKey(const std::string& name, ns_type type) {
  std::string key = asciiLower(name);
  if (!key.empty() && key.back() == '.') key.pop_back();
  key.push_back('/');
  key.append(std::to_string(static_cast<int>(type)));
  return key;
}

std::optional<DnsAnswer> DnsCache::get(const std::string& name, ns_type type,
                                       steady_clock::time_point now) {
  auto it = index_.find(cacheKey(name, type));
  if (it == index_.end()) return std::nullopt;
  Order::iterator slot = it->second;
  if (slot->expires <= now) {
    erase(slot);
    return std::nullopt;
  }
  order_.splice(order_.begin(), order_, slot);
  DnsAnswer answer = slot->entry.answer;
  // Round up so an entry alive for half a second more is not handed out as TTL 0.
  answer.ttl = std::chrono::ceil<seconds>(slot->expires - now);
  return answer;
}

void DnsCache::put(const std::string& name, ns_type type, const DnsAnswer& answer,
                   steady_clock::time_point now) {
  if (answer.status != DnsStatus::kOk && answer.status != DnsStatus::kNxDomain &&
      answer.status != DnsStatus::kNoData) {
    return;
  }
  if (settings_.max_entries == 0) return;
  seconds ttl = std::clamp(answer.ttl, settings_.min_ttl, settings_.max_ttl);
  if (ttl <= seconds(0)) return;
  std::string key = cacheKey(name, type);
  auto it = index_.find(key);
  if (it != index_.end()) erase(it->second);
  while (index_.size() >= settings_.max_entries) erase(std::prev(order_.end()));
  order_.push_front(Slot{key, CacheEntry{name, type, answer}, now + ttl});
  order_.front().entry.answer.ttl = ttl;
  index_.emplace(std::move(key), order_.begin());
}

std::vector<CacheEntry> DnsCache::list(steady_clock::time_point now) const {
  std::vector<CacheEntry> entries;
  entries.reserve(order_.size());
  for (const Slot& slot : order_) {
    if (slot.expires <= now) continue;
    CacheEntry entry = slot.entry;
    entry.answer.ttl = std::chrono::ceil<seconds>(slot.expires - now);
    entries.push_back(std::move(entry));
  }
  return entries;
}

void DnsCache::clear() {
  index_.clear();
  order_.clear();
}

void DnsCache::erase(Order::iterator it) {
  index_.erase(it->key);
  order_.erase(it);
}

}  // namespace ts::dns
