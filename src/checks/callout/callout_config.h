// The sender callout's configuration keys (STYLE.md 6), merged into the daemon's table.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>

#include "policy/action.h"

namespace ts {

struct ConfigKey;

struct CalloutConfig {
  // Off by default, unlike the other checks: a callout talks to a third party's server,
  // which an operator must choose to do (Postfix's reject_unverified_sender is opt-in).
  Action action = Action::kOff;
  double score = 0;
  Action temperror_action = Action::kObserve;
  std::chrono::milliseconds timeout{30000};  // the whole probe, MX lookup included
  std::uint16_t port = 25;                   // tests use their own
  std::chrono::seconds positive_ttl{7 * 86400};
  std::chrono::seconds negative_ttl{3600};
  unsigned per_domain_concurrency = 2;  // probes in flight to one domain at once
  unsigned per_domain_per_minute = 10;  // probes started to one domain per minute
};

std::span<const ConfigKey> calloutConfigKeys();

}  // namespace ts
