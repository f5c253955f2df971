// What a load run measured: message outcomes, failures by reply code, connection counts
// and per-message latency, plus the text and JSON reports made from them.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "load_options.h"

namespace ts::load {

using Clock = std::chrono::steady_clock;

struct LatencySummary {
  double p50_ms = 0;
  double p90_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
};

class LoadStats {
 public:
  explicit LoadStats(std::uint64_t expected_messages);

  void messageStarted() { ++sent_; }
  void messageAccepted(Clock::duration latency);
  // `reason` is the first reply code that was not the expected one ("451"), or "timeout",
  // "disconnect", "protocol".
  void messageFailed(const std::string& reason);
  void connectionOpened() { ++connections_; }
  void connectFailed() { ++connect_failures_; }
  void pipeliningNotOffered() { ++pipelining_not_offered_; }
  void idleReady() { ++idle_ready_; }
  void idleLost() { ++idle_lost_; }

  std::uint64_t sent() const { return sent_; }
  std::uint64_t accepted() const { return accepted_; }
  std::uint64_t failed() const { return failed_; }
  std::uint64_t idleReadyCount() const { return idle_ready_; }
  std::uint64_t idleLostCount() const { return idle_lost_; }

  // Sorts the samples; call once, after the run.
  LatencySummary latency();

  std::string textReport(const LoadOptions& o, double elapsed_s, bool timed_out);
  std::string jsonReport(const LoadOptions& o, double elapsed_s, bool timed_out);

 private:
  std::uint64_t sent_ = 0;
  std::uint64_t accepted_ = 0;
  std::uint64_t failed_ = 0;
  std::uint64_t connections_ = 0;
  std::uint64_t connect_failures_ = 0;
  std::uint64_t pipelining_not_offered_ = 0;
  std::uint64_t idle_ready_ = 0;
  std::uint64_t idle_lost_ = 0;
  std::map<std::string, std::uint64_t> failures_;
  std::vector<std::uint32_t> latency_us_;
};

}  // namespace ts::load
