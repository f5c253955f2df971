// Rate limits on the counter store: per client address, per sender domain, per
// recipient number (counted at RCPT) and per identical message from one sender to one
// recipient (counted at end of data: cron-job floods). Exceeding one is a temporary
// refusal (450/451 4.7.1) that says when to retry; it is never a rejection.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "checks/rate/counter_store.h"
#include "checks/rate/rate_config.h"
#include "policy/check_result.h"

namespace ts {

struct RecipientRateInput {
  std::string client;         // the client's address, "192.0.2.1"
  std::string sender_domain;  // organisational domain of the envelope sender; empty: null sender
  std::string recipient;      // the subscriber number
};

class RateLimiter {
 public:
  using Done = std::function<void(CheckResult)>;
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  // The clock only dates the retry time in a reason ("after 14:05 UTC"). Answers never
  // touch the limiter, so a temporary limiter may be used with a remote counter store; the
  // store must outlive them.
  RateLimiter(const RateConfig& config, CounterStore& counters,
              Clock clock = std::chrono::system_clock::now)
      : config_(config), counters_(counters), clock_(std::move(clock)) {}

  // One recipient of a message against the sender domain's, the client's and the
  // recipient's allowances, in that order, stopping at the first refusal. A refusal is
  // check "rate_sender_domain", "rate_client" or "rate_recipient", outcome kFail,
  // enhanced "4.7.1", a reason naming the limit and when to retry ("retry in 12 minutes
  // (after 14:05 UTC)"); otherwise check "rate", outcome kPass.
  void admitRecipient(const RecipientRateInput& input, Done done);
  // check "rate_identical": the same body (its exact fingerprint) from sender to recipient.
  void admitIdentical(std::string_view sender, std::string_view recipient, std::uint64_t body_hash,
                      Done done);

 private:
  const RateConfig& config_;
  CounterStore& counters_;
  Clock clock_;
};

}  // namespace ts
