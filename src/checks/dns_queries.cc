// Query ids are stored only after query() returns and only while still pending, because a
// synchronous answer spends the id before the caller sees it (dns/resolver.h).
#include "checks/dns_queries.h"

namespace ts {

void DnsQueries::send(const std::vector<Lookup>& lookups) {
  std::size_t first = slots_.size();
  slots_.resize(first + lookups.size());
  ++sending_;
  for (std::size_t i = 0; i < lookups.size() && !stopped_; ++i) {
    std::size_t index = first + i;
    slots_[index].state = State::kPending;
    ++pending_;
    dns::QueryId id =
        resolver_.query(lookups[i].name, lookups[i].type,
                        [this, index](const dns::DnsAnswer& answer) { onAnswer(index, answer); });
    Slot& slot = slots_[index];
    if (slot.state == State::kPending) {
      slot.id = id;
    } else if (slot.state == State::kCancelled) {
      // Stopped from inside its own query() (another answer arrived there): the id was not
      // known then, so it is cancelled now; a spent id is ignored by the resolver.
      resolver_.cancel(id);
    }
  }
  --sending_;
}

void DnsQueries::stop() {
  stopped_ = true;
  for (Slot& slot : slots_) {
    if (slot.state != State::kPending) continue;
    slot.state = State::kCancelled;
    --pending_;
    if (slot.id != dns::kNoQuery) resolver_.cancel(slot.id);
  }
}

void DnsQueries::onAnswer(std::size_t index, const dns::DnsAnswer& answer) {
  Slot& slot = slots_[index];
  if (slot.state != State::kPending) return;  // stopped before its id was known
  slot.state = State::kAnswered;
  --pending_;
  on_answer_(index, answer);
}

}  // namespace ts
