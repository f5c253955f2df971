// Runs one load test on one libevent loop: owns the connection slots, hands out exactly
// --total messages, paces them under --rate, and ends the loop at the time limit.
#pragma once

#include <event2/event.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "load_options.h"
#include "load_stats.h"

namespace ts::load {

class ClientSession;

// The message on the wire (dot-stuffed, ending in CRLF "." CRLF) with a fixed-width slot for
// the Message-ID, so each message costs one small format instead of rebuilding the body.
struct MessageTemplate {
  std::string wire;
  std::size_t id_offset = 0;
  std::size_t id_size = 0;
};

class LoadDriver {
 public:
  explicit LoadDriver(LoadOptions options);
  ~LoadDriver();
  LoadDriver(const LoadDriver&) = delete;
  LoadDriver& operator=(const LoadDriver&) = delete;

  // Runs until every message is done or the time limit; false if the loop could not start.
  bool run();

  double elapsedSeconds() const;
  bool timedOut() const { return timed_out_; }
  LoadStats& stats() { return stats_; }
  const LoadOptions& options() const { return options_; }

  // What the sessions ask of the driver.
  event_base* base() { return base_; }
  std::optional<in_addr> nextSource();
  const MessageTemplate& message() const { return message_; }
  std::string nextMessageId();
  bool stopping() const { return stopping_; }
  // More connections are wanted while messages remain unclaimed.
  bool wantsConnections() const { return !stopping_ && claimed_ < options_.total; }

  enum class Grant { kGo, kWait, kNoMore };
  // Claims the next message. kGo: start now, `start` is when its latency counts from.
  // kWait: the driver calls session.beginMessage() when the pacing allows.
  Grant requestMessage(ClientSession& session, Clock::time_point& start);
  // A waiting session lost its connection: its claimed message goes back to the pool.
  void cancelWait(ClientSession& session);
  // A slot will open no more connections.
  void slotRetired();

 private:
  struct Waiter {
    ClientSession* session;
    Clock::time_point start;
  };

  static void onTimeLimit(evutil_socket_t, short, void* arg);
  static void onPacing(evutil_socket_t, short, void* arg);
  void releaseDueWaiters();
  void armPacing();
  void stop();

  LoadOptions options_;
  LoadStats stats_;
  MessageTemplate message_;
  event_base* base_ = nullptr;
  event* time_limit_event_ = nullptr;
  event* pacing_event_ = nullptr;
  std::vector<std::unique_ptr<ClientSession>> slots_;
  std::deque<Waiter> waiters_;
  std::size_t next_source_ = 0;
  std::uint64_t claimed_ = 0;
  std::uint64_t next_id_ = 0;
  std::size_t retired_slots_ = 0;
  bool stopping_ = false;
  bool timed_out_ = false;
  Clock::time_point started_;
  Clock::time_point ended_;
};

}  // namespace ts::load
