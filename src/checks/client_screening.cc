// A slot per check holds its run, its deadline timer and, once known, its result. A run
// is destroyed (its queries cancelled) only from outside its own callbacks: on deadline,
// on replacement, or with the screening.
#include "checks/client_screening.h"

#include <fmt/format.h>

#include <algorithm>

#include "obs/log.h"
#include "util/timeval.h"

namespace ts {

struct ClientScreening::Slot {
  ClientScreening* owner = nullptr;
  std::string name;
  std::string label;
  std::chrono::milliseconds deadline{0};
  OutcomeActions actions;
  std::function<Action(const CheckResult&)> action_for;
  std::unique_ptr<CheckRun> run;
  event* timer = nullptr;
  std::chrono::steady_clock::time_point started;
  std::optional<CheckResult> result;

  ~Slot() {
    // The run goes first: its cancellations must not find a freed timer.
    run.reset();
    if (timer != nullptr) event_free(timer);
  }
};

namespace {

CheckResult deadlineResult(std::string_view name, std::string_view label,
                           std::chrono::milliseconds deadline) {
  CheckResult r;
  r.check = std::string(name);
  r.outcome = Outcome::kTempError;
  r.enhanced = "4.4.3";
  r.reason = fmt::format(
      "The {} check of your connection did not finish within {} ms because DNS answered too "
      "slowly; nothing is known to be wrong on your side, try again later",
      label, deadline.count());
  r.detail = "deadline passed";
  return r;
}

}  // namespace

ClientScreening::ClientScreening(event_base* base, dns::Resolver& resolver, CheckStatsTable& stats,
                                 std::string log_ref)
    : base_(base), resolver_(resolver), stats_(stats), log_ref_(std::move(log_ref)) {
  settle_event_ = event_new(base_, -1, 0, &ClientScreening::onSettle, this);
}

ClientScreening::~ClientScreening() {
  slots_.clear();
  event_free(settle_event_);
}

void ClientScreening::start(const ScreeningCheck& check, const ClientContext& context) {
  std::erase_if(slots_, [&](const std::unique_ptr<Slot>& s) { return s->name == check.name; });
  auto owned = std::make_unique<Slot>();
  Slot& slot = *owned;
  slot.owner = this;
  slot.name = std::string(check.name);
  slot.label = std::string(check.label);
  slot.deadline = check.deadline;
  slot.actions = check.actions;
  slot.action_for = check.action_for;
  slot.timer = evtimer_new(base_, &ClientScreening::onDeadline, &slot);
  slot.started = std::chrono::steady_clock::now();
  slots_.push_back(std::move(owned));
  std::unique_ptr<CheckRun> run = check.start(
      context, resolver_, [this, &slot](CheckResult r) { finish(slot, std::move(r), false); });
  // A check that answered at once (syntax, cached DNS) needs neither its run nor a timer.
  if (slot.result) return;
  slot.run = std::move(run);
  timeval tv = toTimeval(slot.deadline);
  evtimer_add(slot.timer, &tv);
}

bool ClientScreening::pending() const {
  return std::any_of(slots_.begin(), slots_.end(),
                     [](const std::unique_ptr<Slot>& s) { return !s->result; });
}

const CheckResult* ClientScreening::result(std::string_view name) const {
  for (const auto& slot : slots_) {
    if (slot->name == name && slot->result) return &*slot->result;
  }
  return nullptr;
}

void ClientScreening::drop(std::string_view name) {
  std::erase_if(slots_, [&](const std::unique_ptr<Slot>& s) { return s->name == name; });
  maybeSettle();
}

void ClientScreening::whenSettled(std::function<void()> then) {
  then_ = std::move(then);
  maybeSettle();
}

void ClientScreening::collect(std::vector<CheckResult>& results,
                              std::vector<Proposal>& proposals) const {
  for (const auto& slot : slots_) {
    if (!slot->result) continue;
    const CheckResult& r = *slot->result;
    results.push_back(r);
    Action action = slot->action_for ? slot->action_for(r) : slot->actions.forOutcome(r.outcome);
    if (action == Action::kOff) continue;
    proposals.push_back(Proposal{r, action});
  }
}

void ClientScreening::finish(Slot& slot, CheckResult result, bool timed_out) {
  if (slot.result) return;
  evtimer_del(slot.timer);
  result.check = slot.name;
  stats_.record(result, timed_out);
  stats_.timed(slot.name, std::chrono::steady_clock::now() - slot.started);
  // "none" and "neutral" say only that there was nothing to judge (no SPF record, no DKIM
  // signature): the decision line lists them; a line of their own per message is noise.
  bool judged = result.outcome != Outcome::kPass && result.outcome != Outcome::kNone &&
                result.outcome != Outcome::kNeutral;
  if (judged || result.errors > 0) {
    LogLine(log_ref_)
        .kv("event", "check")
        .kv("check", slot.name)
        .kv("outcome", outcomeName(result.outcome))
        .kv("errors", result.errors)
        .kv("detail", result.detail)
        .kv("reason", result.reason);
  }
  slot.result = std::move(result);
  maybeSettle();
}

void ClientScreening::maybeSettle() {
  if (then_ && !pending()) event_active(settle_event_, 0, 0);
}

void ClientScreening::onDeadline(evutil_socket_t, short, void* arg) {
  auto* slot = static_cast<Slot*>(arg);
  // Cancel first: a late answer must not race the timeout result.
  slot->run.reset();
  slot->owner->finish(*slot, deadlineResult(slot->name, slot->label, slot->deadline), true);
}

void ClientScreening::onSettle(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<ClientScreening*>(arg);
  if (!self->then_ || self->pending()) return;
  std::function<void()> then = std::move(self->then_);
  self->then_ = nullptr;
  then();
}

}  // namespace ts
