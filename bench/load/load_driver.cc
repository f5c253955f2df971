// Message accounting lives here, not in the sessions, so that --total is exact however many
// connections run and however often they reconnect.
#include "load_driver.h"

#include <fmt/core.h>
#include <unistd.h>

#include <cmath>

#include "client_session.h"
#include "sample_message.h"

namespace ts::load {
namespace {

constexpr std::string_view kIdPlaceholder = "0000000000000000";

timeval toTimeval(Clock::duration d) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  if (us < 0) us = 0;
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(us / 1'000'000);
  tv.tv_usec = static_cast<suseconds_t>(us % 1'000'000);
  return tv;
}

MessageTemplate makeTemplate(const LoadOptions& o) {
  // The pid keeps Message-IDs unique across runs that share one server.
  const std::string id = fmt::format("{}.{}@loadgen.invalid", kIdPlaceholder, getpid());
  MessageTemplate m;
  m.wire = bench::dotStuffed(bench::sampleMessage(o.size, o.to, id));
  m.id_offset = m.wire.find(kIdPlaceholder);
  m.id_size = kIdPlaceholder.size();
  return m;
}

}  // namespace

LoadDriver::LoadDriver(LoadOptions options)
    : options_(std::move(options)), stats_(options_.total), message_(makeTemplate(options_)) {}

LoadDriver::~LoadDriver() {
  slots_.clear();  // sessions free their events before the base goes
  if (time_limit_event_ != nullptr) event_free(time_limit_event_);
  if (pacing_event_ != nullptr) event_free(pacing_event_);
  if (base_ != nullptr) event_base_free(base_);
}

bool LoadDriver::run() {
  // Pacing timers must fire on time: epoll's millisecond timeouts alone would add up to a
  // millisecond to every paced message's measured latency.
  event_config* config = event_config_new();
  if (config == nullptr) return false;
  event_config_set_flag(config, EVENT_BASE_FLAG_PRECISE_TIMER);
  base_ = event_base_new_with_config(config);
  event_config_free(config);
  if (base_ == nullptr || message_.id_offset == std::string::npos) return false;
  time_limit_event_ = evtimer_new(base_, onTimeLimit, this);
  pacing_event_ = evtimer_new(base_, onPacing, this);
  if (time_limit_event_ == nullptr || pacing_event_ == nullptr) return false;

  started_ = Clock::now();
  ended_ = started_;
  const timeval limit = toTimeval(std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(options_.time_limit_s)));
  evtimer_add(time_limit_event_, &limit);

  // No point in more slots than messages: the extra ones would only connect and QUIT.
  std::uint64_t count = options_.idle > 0
                            ? options_.idle
                            : std::min<std::uint64_t>(options_.sessions, options_.total);
  slots_.reserve(count);
  for (std::uint64_t i = 0; i < count; ++i)
    slots_.push_back(std::make_unique<ClientSession>(*this));
  for (auto& slot : slots_) {
    if (stopping_) break;
    slot->connect();
  }
  event_base_dispatch(base_);
  if (!stopping_) ended_ = Clock::now();
  return true;
}

double LoadDriver::elapsedSeconds() const {
  return std::chrono::duration<double>(ended_ - started_).count();
}

std::optional<in_addr> LoadDriver::nextSource() {
  if (options_.sources.empty()) return std::nullopt;
  in_addr a = options_.sources[next_source_];
  next_source_ = (next_source_ + 1) % options_.sources.size();
  return a;
}

std::string LoadDriver::nextMessageId() {
  return fmt::format("{:016x}", ++next_id_);
}

LoadDriver::Grant LoadDriver::requestMessage(ClientSession& session, Clock::time_point& start) {
  if (!wantsConnections()) return Grant::kNoMore;
  const std::uint64_t index = claimed_++;
  const Clock::time_point now = Clock::now();
  if (options_.rate <= 0) {
    start = now;
    return Grant::kGo;
  }
  // Message i is due at i/rate whether or not a session is free then; a late start counts
  // in its latency, so a slow server cannot hide its queueing (no coordinated omission).
  start = started_ + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(static_cast<double>(index) / options_.rate));
  if (start <= now && waiters_.empty()) return Grant::kGo;
  waiters_.push_back(Waiter{&session, start});
  armPacing();
  return Grant::kWait;
}

void LoadDriver::cancelWait(ClientSession& session) {
  for (auto it = waiters_.begin(); it != waiters_.end(); ++it) {
    if (it->session == &session) {
      waiters_.erase(it);
      --claimed_;
      return;
    }
  }
}

void LoadDriver::slotRetired() {
  if (++retired_slots_ < slots_.size()) return;
  ended_ = Clock::now();
  event_base_loopexit(base_, nullptr);
}

void LoadDriver::onTimeLimit(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<LoadDriver*>(arg);
  self->timed_out_ = true;
  self->stop();
}

void LoadDriver::stop() {
  stopping_ = true;
  ended_ = Clock::now();
  waiters_.clear();
  for (auto& slot : slots_) slot->stop();
  event_base_loopbreak(base_);
}

void LoadDriver::onPacing(evutil_socket_t, short, void* arg) {
  static_cast<LoadDriver*>(arg)->releaseDueWaiters();
}

void LoadDriver::releaseDueWaiters() {
  const Clock::time_point now = Clock::now();
  // Bounded by the queue length at entry; beginMessage() never adds to the queue.
  for (std::size_t n = waiters_.size(); n > 0 && !waiters_.empty(); --n) {
    Waiter w = waiters_.front();
    if (w.start > now) break;
    waiters_.pop_front();
    w.session->beginMessage(w.start);
  }
  armPacing();
}

void LoadDriver::armPacing() {
  if (waiters_.empty() || evtimer_pending(pacing_event_, nullptr) != 0) return;
  const timeval tv = toTimeval(waiters_.front().start - Clock::now());
  evtimer_add(pacing_event_, &tv);
}

}  // namespace ts::load
