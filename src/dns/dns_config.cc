// Servers are address literals only: the daemon resolves nothing to find its resolver.
// Tests point dns_servers at their own server on a loopback port.
#include "dns/dns_config.h"

#include <fmt/format.h>

#include <array>

#include "config/config_table.h"
#include "config/key_setters.h"
#include "config/value_parsers.h"
#include "net/socket_address.h"

namespace ts {
namespace {

Status<> setServers(Config& c, const std::vector<std::string>& values) {
  std::string csv;
  for (const std::string& item : splitList(values)) {
    if (item == "system") continue;
    bool has_port = item.front() == '['
                        ? item.find("]:") != std::string::npos
                        : item.find(':') != std::string::npos && item.find(':') == item.rfind(':');
    bool bare_v6 = item.front() != '[' && item.find(':') != item.rfind(':');
    std::string host_port = has_port  ? item
                            : bare_v6 ? fmt::format("[{}]:53", item)
                                      : fmt::format("{}:53", item);
    auto address = SocketAddress::parse(host_port);
    if (!address) {
      return fail(
          fmt::format("'{}' is not a DNS server address (use 127.0.0.1, 127.0.0.1:5353 "
                      "or [::1]:53; names are not allowed)",
                      item));
    }
    if (!csv.empty()) csv.push_back(',');
    csv += address->toString();
  }
  c.dns.resolver.servers = csv;
  return Ok{};
}

Status<> setTimeout(Config& c, const std::vector<std::string>& values) {
  return assignDeadline(c.dns.resolver.timeout, values);
}

Status<> setTries(Config& c, const std::vector<std::string>& values) {
  auto v = singleValue(values);
  if (!v) return fail(v.error());
  auto n = parseCount(*v);
  if (!n) return fail(n.error());
  if (*n < 1 || *n > 10) return fail(std::string("must be from 1 to 10"));
  c.dns.resolver.tries = static_cast<int>(*n);
  return Ok{};
}

Status<> setCacheSize(Config& c, const std::vector<std::string>& values) {
  auto v = singleValue(values);
  if (!v) return fail(v.error());
  auto n = parseCount(*v);
  if (!n) return fail(n.error());
  c.dns.cache.max_entries = static_cast<std::size_t>(*n);
  return Ok{};
}

Result<std::chrono::seconds> seconds(const std::vector<std::string>& values) {
  auto v = singleValue(values);
  if (!v) return fail(v.error());
  auto d = parseDuration(*v);
  if (!d) return fail(d.error());
  return std::chrono::duration_cast<std::chrono::seconds>(*d);
}

Status<> setMinTtl(Config& c, const std::vector<std::string>& values) {
  auto s = seconds(values);
  if (!s) return fail(s.error());
  c.dns.cache.min_ttl = *s;
  return Ok{};
}

Status<> setMaxTtl(Config& c, const std::vector<std::string>& values) {
  auto s = seconds(values);
  if (!s) return fail(s.error());
  c.dns.cache.max_ttl = *s;
  return Ok{};
}

Status<> setNegativeTtl(Config& c, const std::vector<std::string>& values) {
  auto s = seconds(values);
  if (!s) return fail(s.error());
  c.dns.resolver.negative_ttl = *s;
  return Ok{};
}

constexpr std::array kKeys = {
    ConfigKey{"dns_servers", "system", "list",
              "DNS resolvers to ask (address literals, port 53 unless given, e.g. "
              "127.0.0.1:5353); 'system' uses /etc/resolv.conf. Use a local caching resolver.",
              true, setServers},
    ConfigKey{"dns_timeout", "2s", "duration", "How long one DNS try waits for its answer.", false,
              setTimeout},
    ConfigKey{"dns_tries", "2", "count", "How often a DNS query is sent before it times out.",
              false, setTries},
    ConfigKey{"dns_cache_size", "100000", "count",
              "DNS answers kept in memory; the least recently used go first. 0 turns the cache "
              "off.",
              false, setCacheSize},
    ConfigKey{"dns_cache_min_ttl", "0", "duration",
              "Shortest time a DNS answer is kept, whatever its TTL says.", false, setMinTtl},
    ConfigKey{"dns_cache_max_ttl", "1h", "duration",
              "Longest time a DNS answer is kept, whatever its TTL says.", false, setMaxTtl},
    ConfigKey{"dns_negative_ttl", "5m", "duration",
              "How long a 'no such name' answer is kept when it carries no SOA to say.", false,
              setNegativeTtl},
};

}  // namespace

bool DnsConfig::operator==(const DnsConfig& o) const {
  return resolver.servers == o.resolver.servers && resolver.timeout == o.resolver.timeout &&
         resolver.tries == o.resolver.tries && resolver.negative_ttl == o.resolver.negative_ttl &&
         cache.max_entries == o.cache.max_entries && cache.min_ttl == o.cache.min_ttl &&
         cache.max_ttl == o.cache.max_ttl;
}

std::span<const ConfigKey> dnsConfigKeys() {
  return kKeys;
}

}  // namespace ts
