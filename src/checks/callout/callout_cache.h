// What a sender callout learned about one address, and the cache that remembers it, so a
// sender's mail server is asked once per TTL and not once per message. An interface: the
// daemon keeps it in LMDB (store/callout_cache_store.h), the check's tests in memory.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ts {

// Only findings that say something lasting are cached; temporary ones never are.
enum class CalloutFinding {
  kVerified,      // the server accepted the sender and refused a random address
  kAcceptAll,     // the server accepted a random address too: nothing can be verified
  kRejected,      // the server refused the sender with a 5xx
  kNullMx,        // the domain publishes a null MX (RFC 7505): it takes no mail at all
  kNoDomain,      // the domain does not exist (NXDOMAIN)
  kUnverifiable,  // the server refused our probe itself (5xx before RCPT)
};

std::string_view calloutFindingName(CalloutFinding finding);
std::optional<CalloutFinding> parseCalloutFinding(std::string_view name);

struct CalloutCacheEntry {
  CalloutFinding finding = CalloutFinding::kVerified;
  std::string host;          // the mail server asked, empty when none was
  std::string reply;         // its deciding reply, "550 5.1.1 user unknown", printable ASCII
  std::int64_t checked = 0;  // unix seconds of the probe
  std::int64_t expires = 0;  // unix seconds; set by put from its ttl
};

class CalloutCache {
 public:
  virtual ~CalloutCache() = default;
  // The entry for address unless it expired by now. Never blocks for long: one short
  // read, on the loop.
  virtual std::optional<CalloutCacheEntry> get(std::string_view address,
                                               std::chrono::system_clock::time_point now) = 0;
  // Remembers entry for ttl after entry.checked. May be written later (the store writer);
  // a lost write only costs one more probe.
  virtual void put(std::string_view address, const CalloutCacheEntry& entry,
                   std::chrono::seconds ttl) = 0;
};

// The cache's key for an address: the domain in lower case, the local part as given
// (RFC 5321 2.4: only the domain is case-insensitive for sure).
std::string calloutCacheKey(std::string_view address);

}  // namespace ts
