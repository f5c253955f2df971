// The counters every check keeps (STYLE.md 9): total, pass, fail, temperror, timeout,
// skip and errors (answers the check could not use), and how long its runs took, one row
// per check name. The control socket's status and the metrics endpoint serve them;
// nothing else counts check outcomes.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "obs/latency_histogram.h"
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
  LatencyHistogram latency;  // the runs that were timed: from start to answer or deadline
};

class CheckStatsTable {
 public:
  void record(const CheckResult& result, bool timed_out);
  void skipped(std::string_view check);
  // How long one run of the check took; apart from record() because one run may give
  // several results (the header checks) or none worth a row of its own.
  void timed(std::string_view check, std::chrono::nanoseconds took);
  const CheckStats* find(std::string_view check) const;
  nlohmann::json toJson() const;
  using Rows = std::map<std::string, CheckStats, std::less<>>;
  const Rows& rows() const { return rows_; }

 private:
  Rows rows_;
  CheckStats& row(std::string_view check);
};

}  // namespace ts
