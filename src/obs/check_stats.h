// The counters every check keeps (STYLE.md 9): total, pass, fail, temperror, timeout,
// skip and errors (answers the check could not use), one row per check name. The control
// socket's status serves them; nothing else counts check outcomes.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "policy/check_result.h"

namespace ts {

struct CheckStats {
  std::uint64_t total = 0;
  std::uint64_t pass = 0;
  std::uint64_t fail = 0;
  std::uint64_t temperror = 0;
  std::uint64_t timeout = 0;  // the check's deadline passed first (counted in temperror too)
  std::uint64_t skip = 0;     // not run: trusted client, or the check is off
  std::uint64_t errors = 0;
};

class CheckStatsTable {
 public:
  void record(const CheckResult& result, bool timed_out);
  void skipped(std::string_view check);
  const CheckStats* find(std::string_view check) const;
  nlohmann::json toJson() const;

 private:
  std::map<std::string, CheckStats, std::less<>> rows_;
  CheckStats& row(std::string_view check);
};

}  // namespace ts
