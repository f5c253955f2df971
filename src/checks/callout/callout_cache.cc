// Names of the callout findings as the cache stores them and textscreenctl prints them;
// they are part of the stored format, so they never change.
#include "checks/callout/callout_cache.h"

#include <array>
#include <utility>

#include "util/ascii.h"

namespace ts {
namespace {

constexpr std::array<std::pair<CalloutFinding, std::string_view>, 6> kNames = {{
    {CalloutFinding::kVerified, "verified"},
    {CalloutFinding::kAcceptAll, "accept-all"},
    {CalloutFinding::kRejected, "rejected"},
    {CalloutFinding::kNullMx, "null-mx"},
    {CalloutFinding::kNoDomain, "no-domain"},
    {CalloutFinding::kUnverifiable, "unverifiable"},
}};

}  // namespace

std::string_view calloutFindingName(CalloutFinding finding) {
  for (const auto& [f, name] : kNames) {
    if (f == finding) return name;
  }
  return "verified";
}

std::optional<CalloutFinding> parseCalloutFinding(std::string_view name) {
  for (const auto& [f, n] : kNames) {
    if (n == name) return f;
  }
  return std::nullopt;
}

std::string calloutCacheKey(std::string_view address) {
  std::size_t at = address.rfind('@');
  if (at == std::string_view::npos) return std::string(address);
  std::string key(address.substr(0, at + 1));
  key += asciiLower(address.substr(at + 1));
  return key;
}

}  // namespace ts
