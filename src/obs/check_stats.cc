// Outcomes other than pass, fail and temperror (neutral, none, softfail, permerror) count
// only in total: the network checks of the connection never give them.
#include "obs/check_stats.h"

#include <nlohmann/json.hpp>

namespace ts {

CheckStats& CheckStatsTable::row(std::string_view check) {
  auto it = rows_.find(check);
  if (it == rows_.end()) it = rows_.emplace(std::string(check), CheckStats{}).first;
  return it->second;
}

void CheckStatsTable::record(const CheckResult& result, bool timed_out) {
  CheckStats& s = row(result.check);
  ++s.total;
  s.errors += result.errors;
  if (timed_out) ++s.timeout;
  switch (result.outcome) {
    case Outcome::kPass:
      ++s.pass;
      break;
    case Outcome::kFail:
      ++s.fail;
      break;
    case Outcome::kTempError:
      ++s.temperror;
      break;
    default:
      break;
  }
}

void CheckStatsTable::skipped(std::string_view check) {
  ++row(check).skip;
}

void CheckStatsTable::timed(std::string_view check, std::chrono::nanoseconds took) {
  row(check).latency.observe(took);
}

const CheckStats* CheckStatsTable::find(std::string_view check) const {
  auto it = rows_.find(check);
  return it == rows_.end() ? nullptr : &it->second;
}

nlohmann::json CheckStatsTable::toJson() const {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, s] : rows_) {
    out[name] = {{"total", s.total},         {"pass", s.pass},       {"fail", s.fail},
                 {"temperror", s.temperror}, {"timeout", s.timeout}, {"skip", s.skip},
                 {"errors", s.errors}};
  }
  return out;
}

}  // namespace ts
