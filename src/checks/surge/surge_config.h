// Surge mode's configuration keys (STYLE.md 6).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>

#include "checks/rate/counter_store.h"
#include "policy/action.h"

namespace ts {

struct ConfigKey;

struct SurgeConfig {
  bool enabled = false;
  std::chrono::seconds window{std::chrono::minutes(10)};  // sliding window of the counts
  // A cluster enters surge mode when, within the window, it reaches `cluster_recipients`
  // distinct recipients AND either `cluster_networks` distinct client networks or
  // `cluster_senders` distinct envelope senders. One business's bulk notices (one sender,
  // one network) never qualify.
  std::uint32_t cluster_recipients = 20;
  std::uint32_t cluster_networks = 3;
  std::uint32_t cluster_senders = 10;
  // Confirmed campaign: this many distinct client networks or senders in the window.
  std::uint32_t confirm_networks = 10;
  std::uint32_t confirm_senders = 30;
  Action confirmed_action = Action::kReject;  // reject, quarantine or tempfail
  // A client network (IPv4 /24, IPv6 /64) sending more than this enters surge mode.
  RateSpec network_rate{0, std::chrono::minutes(10)};  // limit 0: off
  // A surge ends this long after the last message that kept it going.
  std::chrono::seconds hold{std::chrono::minutes(15)};
  std::size_t cluster_capacity = 100000;  // clusters remembered
  double similarity = 0.6;                // MinHash share for two bodies to be one cluster
};

std::span<const ConfigKey> surgeConfigKeys();

}  // namespace ts
