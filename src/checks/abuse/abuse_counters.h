// One session's abuse tally (RSETs, refused recipients, error replies) and the client's
// errors and failed AUTH attempts over a window on the counter store. Crossing a limit answers the
// reason the session is ended with 421 and the client put in the penalty box.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "checks/abuse/abuse_config.h"
#include "checks/rate/counter_store.h"

namespace ts {

enum class AbuseEvent { kRset, kBadRecipient, kError, kAuthFailure };

class AbuseCounters {
 public:
  using OverLimit = std::function<void(std::string reason)>;

  AbuseCounters(const AbuseConfig& config, CounterStore& counters, std::string client);

  // Counts one event; calls over_limit (now or later, at most once per session) when it
  // crossed a limit, with plain words for the client's admin ("too many RSET commands (21
  // in one session, the limit is 20)"). An answer of a remote store arriving after this
  // object is gone is still delivered, and still at most once.
  void note(AbuseEvent event, OverLimit over_limit);

 private:
  // One event on the client's window counter under prefix; past limit, the reason says
  // "too many <what> from your address".
  void countInWindow(std::string_view prefix, unsigned limit, std::string_view what,
                     OverLimit over_limit);

  AbuseConfig config_;
  CounterStore& counters_;
  std::string client_;
  unsigned rsets_ = 0;
  unsigned bad_recipients_ = 0;
  // Shared with pending store answers, which may outlive the session.
  std::shared_ptr<bool> told_ = std::make_shared<bool>(false);
};

}  // namespace ts
