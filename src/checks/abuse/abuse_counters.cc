// The per-session tallies are plain counters; the error and AUTH failure windows go to the
// counter store, because a client that reconnects after each error (or each guessed
// password) must be counted across sessions (and, with Redis, across processes).
#include "checks/abuse/abuse_counters.h"

#include <fmt/format.h>

#include <utility>

#include "util/time_words.h"

namespace ts {
namespace {

void tellOnce(bool& told, const AbuseCounters::OverLimit& over_limit, std::string reason) {
  if (told) return;
  told = true;
  over_limit(std::move(reason));
}

}  // namespace

void AbuseCounters::countInWindow(std::string_view prefix, unsigned limit, std::string_view what,
                                  OverLimit over_limit) {
  RateSpec rate{limit, config_.window};
  std::string reason = fmt::format("too many {} from your address: more than {} in {}", what,
                                   rate.limit, durationWords(rate.window));
  // The answer may come after this object is gone: it holds only what it needs.
  counters_.consume(std::string(prefix) + client_, rate,
                    [told = told_, over_limit = std::move(over_limit),
                     reason = std::move(reason)](RateAnswer answer) mutable {
                      if (!answer.allowed) tellOnce(*told, over_limit, std::move(reason));
                    });
}

AbuseCounters::AbuseCounters(const AbuseConfig& config, CounterStore& counters, std::string client)
    : config_(config), counters_(counters), client_(std::move(client)) {}

void AbuseCounters::note(AbuseEvent event, OverLimit over_limit) {
  switch (event) {
    case AbuseEvent::kRset:
      ++rsets_;
      if (config_.max_rsets > 0 && rsets_ > config_.max_rsets) {
        tellOnce(*told_, over_limit,
                 fmt::format("too many RSET commands: {} in one session, the limit is {}", rsets_,
                             config_.max_rsets));
      }
      return;
    case AbuseEvent::kBadRecipient:
      ++bad_recipients_;
      if (config_.max_bad_recipients > 0 && bad_recipients_ > config_.max_bad_recipients) {
        tellOnce(*told_, over_limit,
                 fmt::format("too many refused recipients: {} in one session, the limit is {}",
                             bad_recipients_, config_.max_bad_recipients));
      }
      return;
    case AbuseEvent::kError:
      if (config_.max_window_errors == 0) return;
      countInWindow("abuse:", config_.max_window_errors, "errors", std::move(over_limit));
      return;
    case AbuseEvent::kAuthFailure:
      if (config_.max_auth_failures == 0) return;
      countInWindow("auth:", config_.max_auth_failures, "failed AUTH attempts",
                    std::move(over_limit));
      return;
  }
}

}  // namespace ts
