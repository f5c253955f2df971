// The counters of transactions' outcomes (STYLE.md 9): one per action (relay, reject,
// tempfail, quarantine, abandoned) and cause, the cause being what decided it (a check's
// name, or a fixed word such as "gateway" or "message_size"), never the free text of the
// reason, so the metrics endpoint's label set stays small. Counted where the decision
// record is written, nowhere else.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json_fwd.hpp>

namespace ts {

class DecisionStatsTable {
 public:
  // Past this many distinct (action, cause) pairs, new causes count as "other": a bound
  // on memory and on the metric's series even if a cause were ever built from input.
  static constexpr std::size_t kMaxRows = 128;

  void record(std::string_view action, std::string_view cause);
  using Key = std::pair<std::string, std::string>;  // action, cause
  using Rows = std::map<Key, std::uint64_t, std::less<>>;
  const Rows& rows() const { return rows_; }
  std::uint64_t total(std::string_view action) const;
  // {"reject": {"recipient": 2}, ...}
  nlohmann::json toJson() const;

 private:
  Rows rows_;
};

}  // namespace ts
