// The resolver's configuration keys (STYLE.md 6): which servers to ask, how long to wait
// for each try, and the bounds of the answer cache. Merged into the daemon's key table.
#pragma once

#include <span>

#include "dns/ares_resolver.h"
#include "dns/dns_cache.h"

namespace ts {

struct ConfigKey;

struct DnsConfig {
  dns::AresSettings resolver;
  dns::CacheSettings cache;

  bool operator==(const DnsConfig& other) const;
};

std::span<const ConfigKey> dnsConfigKeys();

}  // namespace ts
