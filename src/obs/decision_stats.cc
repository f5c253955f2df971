// A std::map keeps the rows in a stable order, so the metrics endpoint lists them the
// same way on every scrape.
#include "obs/decision_stats.h"

#include <nlohmann/json.hpp>

namespace ts {

void DecisionStatsTable::record(std::string_view action, std::string_view cause) {
  Key key{std::string(action), std::string(cause)};
  auto it = rows_.find(key);
  if (it == rows_.end()) {
    if (rows_.size() >= kMaxRows) key.second = "other";
    it = rows_.try_emplace(std::move(key), 0).first;
  }
  ++it->second;
}

std::uint64_t DecisionStatsTable::total(std::string_view action) const {
  std::uint64_t sum = 0;
  for (const auto& [key, count] : rows_) {
    if (key.first == action) sum += count;
  }
  return sum;
}

nlohmann::json DecisionStatsTable::toJson() const {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, count] : rows_) out[key.first][key.second] = count;
  return out;
}

}  // namespace ts
