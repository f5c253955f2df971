// The DNS list check's configuration keys (STYLE.md 6). Sites are written as Postfix's
// postscreen_dnsbl_sites: zone[=filter][*weight], e.g. "zen.example=127.0.0.[2..11]*3",
// with negative weights for allow lists (DNSWL).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "policy/action.h"
#include "util/result.h"

namespace ts {

struct ConfigKey;

// Which answers of a list mean "listed". Each of the four octets is a set of ranges
// ("127.0.0.[2..11;20]"). A site written without a filter counts 127.0.0.2 to
// 127.255.255.255 except 127.255.255.0/24, where lists put their error codes ("query
// refused", "typo"); an answer outside the filter is an error, never a listing.
struct ReturnCodeFilter {
  using OctetRanges = std::vector<std::pair<std::uint8_t, std::uint8_t>>;  // inclusive
  std::array<OctetRanges, 4> octets;
  bool configured = false;  // false: the default filter above

  bool matches(const std::array<std::uint8_t, 4>& address) const;
};

struct DnsblSite {
  std::string zone;  // lower case, no trailing dot
  ReturnCodeFilter filter;
  double weight = 1;
  std::string text;  // the site as written, for logs
};

// "zone[=filter][*weight]"; an error names what is wrong with the text.
Result<DnsblSite> parseDnsblSite(std::string_view text);

struct DnsblConfig {
  std::vector<DnsblSite> sites;  // empty: the check is off
  double threshold = 1;          // the summed weight at which a client counts as listed
  Action action = Action::kObserve;
  Action temperror_action = Action::kObserve;
  std::chrono::milliseconds timeout{10000};
  bool reply_text = true;  // quote the list's TXT record in the refusal
};

std::span<const ConfigKey> dnsblConfigKeys();

}  // namespace ts
