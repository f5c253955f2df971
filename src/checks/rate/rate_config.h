// The rate limits' configuration keys (STYLE.md 6). A limit of 0 is off: the built-in
// defaults limit nothing, the shipped configuration sets provider-like values.
#pragma once

#include <cstddef>
#include <span>

#include "checks/rate/counter_store.h"

namespace ts {

struct ConfigKey;

struct RateConfig {
  RateSpec per_client;         // recipients per client address
  RateSpec per_sender_domain;  // recipients per sender (organisational) domain
  RateSpec per_recipient;      // messages per recipient number
  RateSpec identical;          // the same body from one sender to one recipient
  // The in-process counter store's bounds (shared with the surge counters).
  std::size_t max_keys = 1000000;           // least recently used keys forgotten first
  std::size_t max_members_per_key = 10000;  // distinct counts saturate here
};

std::span<const ConfigKey> rateConfigKeys();

}  // namespace ts
