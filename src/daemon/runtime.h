// Everything built from one configuration snapshot. A session keeps the Runtime it
// started with, so a reload never changes the rules in the middle of a transaction.
#pragma once

#include <memory>

#include "checks/helo/helo_check.h"
#include "checks/pregreet/pregreet_check.h"
#include "config/config.h"
#include "policy/decision.h"
#include "policy/recipient_policy.h"
#include "policy/subscriber_number.h"

namespace ts {

struct Runtime {
  explicit Runtime(Config c)
      : config(std::move(c)),
        numbers(config.default_region, config.number_cache_size),
        recipients(config.gateway_domains, config.postmaster_address, numbers),
        decisions(config.reject_score),
        helo(config.helo),
        pregreet(config.pregreet) {}

  bool isTrusted(const SocketAddress& peer) const {
    for (const Cidr& n : config.trusted_networks) {
      if (n.contains(peer)) return true;
    }
    return false;
  }

  const Config config;
  SubscriberNumberValidator numbers;  // its cache is the only mutable part
  const RecipientPolicy recipients;
  const DecisionPolicy decisions;
  const HeloCheck helo;
  const PregreetCheck pregreet;
};

}  // namespace ts
