// Transactions' outcomes (STYLE.md 9), counted where the decision record is written: by
// action (relay, reject, tempfail, quarantine, abandoned) and cause, a word for what decided
// it (a check's name, "gateway"), never the reason's free text, so the label set stays small.
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
