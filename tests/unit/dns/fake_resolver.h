// A scripted Resolver for unit tests: queries wait until the test answers them, so a test
// decides the order of events and counts what reached "the network".
#pragma once

#include <map>
#include <string>
#include <vector>

#include "dns/resolver.h"

namespace ts::dns::testing {

class FakeResolver final : public Resolver {
 public:
  struct Sent {
    std::string name;
    ns_type type;
    DnsCallback callback;
  };

  QueryId query(const std::string& name, ns_type type, DnsCallback callback) override {
    ++queries_sent;
    QueryId id = next_id_++;
    open_.emplace(id, Sent{name, type, std::move(callback)});
    return id;
  }
  void cancel(QueryId id) override {
    if (open_.erase(id) != 0) ++cancelled;
  }

  // Answers the oldest open query for name; false if there is none.
  bool answer(const std::string& name, const DnsAnswer& answer) {
    for (auto it = open_.begin(); it != open_.end(); ++it) {
      if (it->second.name != name) continue;
      DnsCallback callback = std::move(it->second.callback);
      open_.erase(it);
      callback(answer);
      return true;
    }
    return false;
  }
  std::size_t openCount() const { return open_.size(); }

  int queries_sent = 0;
  int cancelled = 0;

 private:
  std::map<QueryId, Sent> open_;
  QueryId next_id_ = 1;
};

}  // namespace ts::dns::testing
