// Latency is kept as every sample (4 bytes each) rather than a histogram: a run sends at
// most --total messages, and exact percentiles need no bucket-width caveats.
#include "load_stats.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace ts::load {
namespace {

// Nearest-rank percentile of sorted samples, in milliseconds.
double percentileMs(const std::vector<std::uint32_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1] / 1000.0;
}

std::string failureList(const std::map<std::string, std::uint64_t>& failures, bool json) {
  std::string out;
  for (const auto& [reason, count] : failures) {
    if (!out.empty()) out += json ? ", " : " ";
    out += json ? fmt::format("\"{}\": {}", reason, count) : fmt::format("{}={}", reason, count);
  }
  return out;
}

}  // namespace

LoadStats::LoadStats(std::uint64_t expected_messages) {
  latency_us_.reserve(expected_messages);
}

void LoadStats::messageAccepted(Clock::duration latency) {
  ++accepted_;
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(latency).count();
  latency_us_.push_back(static_cast<std::uint32_t>(
      std::clamp<std::int64_t>(us, 0, std::numeric_limits<std::uint32_t>::max())));
}

void LoadStats::messageFailed(const std::string& reason) {
  ++failed_;
  ++failures_[reason];
}

LatencySummary LoadStats::latency() {
  std::sort(latency_us_.begin(), latency_us_.end());
  LatencySummary s;
  s.p50_ms = percentileMs(latency_us_, 50);
  s.p90_ms = percentileMs(latency_us_, 90);
  s.p99_ms = percentileMs(latency_us_, 99);
  s.max_ms = latency_us_.empty() ? 0 : latency_us_.back() / 1000.0;
  return s;
}

std::string LoadStats::textReport(const LoadOptions& o, double elapsed_s, bool timed_out) {
  const LatencySummary l = latency();
  std::string out =
      fmt::format("server {} sessions {} messages/connection {} size {} pipelining {} rate {}\n",
                  o.server_text, o.idle > 0 ? o.idle : o.sessions, o.messages_per_connection,
                  o.size, o.pipelining ? "requested" : "off",
                  o.rate > 0 ? fmt::format("{:g}/s", o.rate) : std::string("closed-loop"));
  if (o.idle > 0) {
    out += fmt::format("idle connections: requested {} ready {} lost {}\n", o.idle, idle_ready_,
                       idle_lost_);
  } else {
    out +=
        fmt::format("messages: sent {} accepted {} failed {} unfinished {}{}\n", sent_, accepted_,
                    failed_, sent_ - accepted_ - failed_, timed_out ? " (time limit reached)" : "");
  }
  if (!failures_.empty())
    out += fmt::format("failed by reason: {}\n", failureList(failures_, false));
  out += fmt::format("connections: opened {} connect failures {}", connections_, connect_failures_);
  if (pipelining_not_offered_ > 0) {
    out += fmt::format(" without PIPELINING {}", pipelining_not_offered_);
  }
  out += '\n';
  out += fmt::format("elapsed {:.3f} s, {:.1f} messages/s\n", elapsed_s,
                     elapsed_s > 0 ? accepted_ / elapsed_s : 0.0);
  if (o.idle == 0) {
    out += fmt::format("latency ms: p50 {:.3f} p90 {:.3f} p99 {:.3f} max {:.3f}\n", l.p50_ms,
                       l.p90_ms, l.p99_ms, l.max_ms);
  }
  return out;
}

std::string LoadStats::jsonReport(const LoadOptions& o, double elapsed_s, bool timed_out) {
  const LatencySummary l = latency();
  return fmt::format(
      "{{\"server\": \"{}\", \"sessions\": {}, \"messages_per_connection\": {}, \"size\": {}, "
      "\"pipelining\": {}, \"rate\": {}, \"idle\": {}, \"idle_ready\": {}, \"idle_lost\": {}, "
      "\"sent\": {}, \"accepted\": {}, \"failed\": {}, \"failed_by_reason\": {{{}}}, "
      "\"connections\": {}, \"connect_failures\": {}, \"pipelining_not_offered\": {}, "
      "\"timed_out\": {}, \"elapsed_s\": {:.3f}, \"messages_per_s\": {:.1f}, "
      "\"latency_ms\": {{\"p50\": {:.3f}, \"p90\": {:.3f}, \"p99\": {:.3f}, \"max\": {:.3f}}}}}\n",
      o.server_text, o.sessions, o.messages_per_connection, o.size, o.pipelining, o.rate, o.idle,
      idle_ready_, idle_lost_, sent_, accepted_, failed_, failureList(failures_, true),
      connections_, connect_failures_, pipelining_not_offered_, timed_out, elapsed_s,
      elapsed_s > 0 ? accepted_ / elapsed_s : 0.0, l.p50_ms, l.p90_ms, l.p99_ms, l.max_ms);
}

}  // namespace ts::load
