// Memory stays bounded by the domains probed in the last minute: a domain with nothing
// in flight and no start inside the window is dropped by a sweep that runs at most once
// per window, so a flood of one-off domains costs one pass per minute.
#include "checks/callout/callout_limiter.h"

#include <utility>

namespace ts {

CalloutLimiter::Ticket& CalloutLimiter::Ticket::operator=(Ticket&& other) noexcept {
  if (this != &other) {
    release();
    limiter_ = std::exchange(other.limiter_, nullptr);
    domain_ = std::move(other.domain_);
  }
  return *this;
}

void CalloutLimiter::Ticket::release() {
  if (!limiter_) return;
  std::exchange(limiter_, nullptr)->releaseOne(domain_);
}

std::variant<CalloutLimiter::Ticket, CalloutLimiter::Refusal> CalloutLimiter::acquire(
    std::string_view domain, TimePoint now, unsigned max_in_flight, unsigned max_per_minute) {
  if (now - last_sweep_ >= kWindow || now < last_sweep_) sweep(now);
  std::string key(domain);
  Domain& d = domains_[key];
  forget(d, now);
  if (d.in_flight >= max_in_flight) {
    ++refused_concurrency_;
    return Refusal::kConcurrency;
  }
  if (d.started.size() >= max_per_minute) {
    ++refused_rate_;
    return Refusal::kRate;
  }
  ++d.in_flight;
  d.started.push_back(now);
  return Ticket(this, std::move(key));
}

unsigned CalloutLimiter::inFlight(std::string_view domain) const {
  auto it = domains_.find(std::string(domain));
  return it == domains_.end() ? 0 : it->second.in_flight;
}

void CalloutLimiter::releaseOne(const std::string& domain) {
  auto it = domains_.find(domain);
  if (it == domains_.end() || it->second.in_flight == 0) return;
  --it->second.in_flight;
}

// A clock stepped backwards would leave starts "in the future"; they are dropped too, so a
// step can at worst allow one extra window's probes, never block a domain for long.
void CalloutLimiter::forget(Domain& d, TimePoint now) {
  while (!d.started.empty() && (now - d.started.front() >= kWindow || d.started.front() > now)) {
    d.started.pop_front();
  }
}

void CalloutLimiter::sweep(TimePoint now) {
  last_sweep_ = now;
  for (auto it = domains_.begin(); it != domains_.end();) {
    forget(it->second, now);
    if (it->second.in_flight == 0 && it->second.started.empty()) {
      it = domains_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace ts
