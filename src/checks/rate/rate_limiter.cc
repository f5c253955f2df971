// The rate limits as chained consumes on the counter store: each answer may come later (a
// remote store), so the chain carries its own steps. A refusal is a tempfail that names the
// limit and the UTC time the sender may retry, never a rejection.
#include "checks/rate/rate_limiter.h"

#include <fmt/format.h>

#include <memory>
#include <utility>
#include <vector>

#include "util/time_words.h"

namespace ts {
namespace {

// "an hour" reads as a rate on its own; "10 minutes" needs "in".
std::string perWindow(std::chrono::seconds window) {
  std::string words = durationWords(window);
  return words.front() == 'a' ? words : "in " + words;
}

std::string retryWords(std::chrono::seconds retry_after,
                       std::chrono::system_clock::time_point now) {
  return fmt::format("retry in {} (after {})", waitWords(retry_after),
                     utcTimeWords(now + retry_after, now));
}

std::string detailFor(std::string_view key, RateSpec rate) {
  return fmt::format("key={} limit={}/{}s", key, rate.limit, rate.window.count());
}

CheckResult refused(std::string check, std::string reason, std::string detail) {
  CheckResult r;
  r.check = std::move(check);
  r.outcome = Outcome::kFail;
  r.reason = std::move(reason);
  r.enhanced = "4.7.1";
  r.detail = std::move(detail);
  return r;
}

CheckResult passed(std::string check) {
  CheckResult r;
  r.check = std::move(check);
  r.outcome = Outcome::kPass;
  return r;
}

// One allowance to take from, and whose it is ("from example.com") for the reason.
struct Step {
  const char* check;
  std::string key;
  RateSpec rate;
  std::string whose;
};

// The rest of one admitRecipient call, kept alive by the pending answer rather than by the
// limiter, which may be gone by then.
struct Chain {
  CounterStore& counters;
  RateLimiter::Clock clock;
  std::vector<Step> steps;
  RateLimiter::Done done;
};

void runFrom(std::shared_ptr<Chain> chain, std::size_t at) {
  if (at == chain->steps.size()) {
    chain->done(passed("rate"));
    return;
  }
  const Step& step = chain->steps[at];
  chain->counters.consume(step.key, step.rate, [chain, at](RateAnswer answer) {
    if (answer.allowed) {
      runFrom(chain, at + 1);
      return;
    }
    const Step& s = chain->steps[at];
    std::string reason = fmt::format(
        "Rate limit: more than {} message{} {} {}; {}. Spread your alerts out, or ask the "
        "gateway operator about a higher limit",
        s.rate.limit, s.rate.limit == 1 ? "" : "s", perWindow(s.rate.window), s.whose,
        retryWords(answer.retry_after, chain->clock()));
    chain->done(refused(s.check, std::move(reason), detailFor(s.key, s.rate)));
  });
}

}  // namespace

void RateLimiter::admitRecipient(const RecipientRateInput& input, Done done) {
  auto chain = std::make_shared<Chain>(Chain{counters_, clock_, {}, std::move(done)});
  std::vector<Step>& steps = chain->steps;
  // A null sender has no domain to count against; its client and recipient still count.
  if (!input.sender_domain.empty() && config_.per_sender_domain.limit > 0) {
    steps.push_back({"rate_sender_domain", "rate:domain:" + input.sender_domain,
                     config_.per_sender_domain, "from " + input.sender_domain});
  }
  if (config_.per_client.limit > 0) {
    steps.push_back({"rate_client", "rate:client:" + input.client, config_.per_client,
                     "from your address " + input.client});
  }
  if (config_.per_recipient.limit > 0) {
    steps.push_back({"rate_recipient", "rate:rcpt:" + input.recipient, config_.per_recipient,
                     "to " + input.recipient});
  }
  runFrom(std::move(chain), 0);
}

void RateLimiter::admitIdentical(std::string_view sender, std::string_view recipient,
                                 std::uint64_t body_hash, Done done) {
  RateSpec rate = config_.identical;
  if (rate.limit == 0) {
    done(passed("rate_identical"));
    return;
  }
  std::string key = fmt::format("rate:same:{}|{}|{:016x}", sender, recipient, body_hash);
  counters_.consume(
      key, rate, [clock = clock_, key, rate, done = std::move(done)](RateAnswer answer) {
        if (answer.allowed) {
          done(passed("rate_identical"));
          return;
        }
        std::string times = rate.limit == 1 ? "once" : fmt::format("{} times", rate.limit);
        std::string reason = fmt::format(
            "The same message was sent to this recipient {} in {}; {}. Check the sending job for a "
            "loop (a cron job firing too often)",
            times, durationWords(rate.window), retryWords(answer.retry_after, clock()));
        done(refused("rate_identical", std::move(reason), detailFor(key, rate)));
      });
}

}  // namespace ts
