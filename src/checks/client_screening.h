// The network checks of one client connection, run side by side: started as early as
// possible (rDNS and DNS lists at connect, the HELO name at EHLO) and awaited late (at
// RCPT or end of data), each under its own deadline. A deadline that passes makes a
// temperror, which the check's temperror action turns into tempfail or nothing.
#pragma once

#include <event2/event.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "checks/check_run.h"
#include "checks/client_context.h"
#include "dns/resolver.h"
#include "obs/check_stats.h"
#include "policy/decision.h"

namespace ts {

// One network check as the screening sees it: its name, deadline and actions, and how
// to start it.
struct ScreeningCheck {
  using Starter =
      std::function<std::unique_ptr<CheckRun>(const ClientContext&, dns::Resolver&, CheckDone)>;
  std::string_view name;
  std::string_view label;  // for the sender's admin: "reverse DNS", "DNS list"
  std::chrono::milliseconds deadline{0};
  OutcomeActions actions;
  Starter start;
  // When set, decides the action from the whole result instead of its outcome alone
  // (DMARC: the domain's published policy picks the configured action).
  std::function<Action(const CheckResult&)> action_for{};
};

class ClientScreening {
 public:
  ClientScreening(event_base* base, dns::Resolver& resolver, CheckStatsTable& stats,
                  std::string log_ref);
  ~ClientScreening();
  ClientScreening(const ClientScreening&) = delete;
  ClientScreening& operator=(const ClientScreening&) = delete;

  // Starts the check, replacing an earlier run or result of the same name (a new EHLO).
  void start(const ScreeningCheck& check, const ClientContext& context);
  bool pending() const;
  // The finished result of the named check, or null (not started, not finished).
  const CheckResult* result(std::string_view name) const;
  // Forgets the named check's run and result (a new transaction's sender checks).
  void drop(std::string_view name);
  // Runs then once nothing is pending: always from a later turn of the loop, never from
  // inside a check's callback, so then may start or replace checks freely.
  void whenSettled(std::function<void()> then);
  // Every finished check's result, and a proposal for each whose outcome has an action.
  void collect(std::vector<CheckResult>& results, std::vector<Proposal>& proposals) const;

 private:
  struct Slot;
  void finish(Slot& slot, CheckResult result, bool timed_out);
  void maybeSettle();
  static void onDeadline(evutil_socket_t fd, short what, void* arg);
  static void onSettle(evutil_socket_t fd, short what, void* arg);

  event_base* base_;
  dns::Resolver& resolver_;
  CheckStatsTable& stats_;
  std::string log_ref_;
  std::vector<std::unique_ptr<Slot>> slots_;
  event* settle_event_ = nullptr;
  std::function<void()> then_;
};

}  // namespace ts
