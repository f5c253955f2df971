// The lookups one check run has in flight: sent together, answered by index, and every
// open one cancelled when the answer is already known or the run goes away. rdns and helo
// both ask several names at once and stop at the first answer that settles the verdict.
#pragma once

#include <arpa/nameser.h>

#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "dns/resolver.h"

namespace ts {

class DnsQueries {
 public:
  struct Lookup {
    std::string name;
    ns_type type;
  };
  // May destroy the DnsQueries (the owner's done may drop the run): nothing here touches
  // this object after calling it.
  using OnAnswer = std::function<void(std::size_t index, const dns::DnsAnswer& answer)>;

  DnsQueries(dns::Resolver& resolver, OnAnswer on_answer)
      : resolver_(resolver), on_answer_(std::move(on_answer)) {}
  ~DnsQueries() { stop(); }
  DnsQueries(const DnsQueries&) = delete;
  DnsQueries& operator=(const DnsQueries&) = delete;

  // Sends the lookups. Each gets the next index, counting from 0 over every batch, so the
  // owner knows the indices before the answers: they may arrive before send returns (a
  // cache hit). While it runs, sending() is true, and the owner must not finish, because
  // finishing may destroy it mid-loop.
  void send(const std::vector<Lookup>& lookups);
  bool sending() const { return sending_ > 0; }
  // Lookups sent and neither answered nor cancelled.
  std::size_t pending() const { return pending_; }
  // Cancels every pending lookup, and a batch being sent sends no more.
  void stop();

 private:
  enum class State { kUnsent, kPending, kAnswered, kCancelled };
  struct Slot {
    State state = State::kUnsent;
    dns::QueryId id = dns::kNoQuery;  // set only while pending: a spent id is not ours
  };

  void onAnswer(std::size_t index, const dns::DnsAnswer& answer);

  dns::Resolver& resolver_;
  OnAnswer on_answer_;
  std::vector<Slot> slots_;  // addressed by index: a nested send may reallocate it
  std::size_t pending_ = 0;
  int sending_ = 0;  // nested when an answer inside send() sends the next batch
  bool stopped_ = false;
};

}  // namespace ts
