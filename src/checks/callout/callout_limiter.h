// Keeps the callout from hammering anyone's mail server: per sender domain, at most so
// many probes in flight and so many started per minute. A spammer forging addresses at
// one domain would otherwise turn us into a directory-harvest attack on it. In-process
// only: each process of a fleet limits itself.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>

namespace ts {

class CalloutLimiter {
 public:
  using TimePoint = std::chrono::system_clock::time_point;
  static constexpr std::chrono::seconds kWindow{60};

  // One probe's place in its domain's count: released when destroyed.
  class Ticket {
   public:
    Ticket() = default;
    Ticket(CalloutLimiter* limiter, std::string domain)
        : limiter_(limiter), domain_(std::move(domain)) {}
    Ticket(Ticket&& other) noexcept { *this = std::move(other); }
    Ticket& operator=(Ticket&& other) noexcept;
    ~Ticket() { release(); }
    void release();
    bool held() const { return limiter_ != nullptr; }

   private:
    CalloutLimiter* limiter_ = nullptr;
    std::string domain_;
  };

  enum class Refusal { kConcurrency, kRate };

  CalloutLimiter() = default;
  CalloutLimiter(const CalloutLimiter&) = delete;
  CalloutLimiter& operator=(const CalloutLimiter&) = delete;

  // A ticket for one probe to domain, or why not. The limits come with each call, so a
  // reload that changes them applies at once. A refusal is counted and starts nothing.
  std::variant<Ticket, Refusal> acquire(std::string_view domain, TimePoint now,
                                        unsigned max_in_flight, unsigned max_per_minute);

  std::uint64_t refusedConcurrency() const { return refused_concurrency_; }
  std::uint64_t refusedRate() const { return refused_rate_; }
  std::size_t domainsTracked() const { return domains_.size(); }
  unsigned inFlight(std::string_view domain) const;

 private:
  struct Domain {
    unsigned in_flight = 0;
    std::deque<TimePoint> started;  // within the last window, oldest first
  };

  void releaseOne(const std::string& domain);
  void sweep(TimePoint now);
  static void forget(Domain& d, TimePoint now);

  std::unordered_map<std::string, Domain> domains_;
  TimePoint last_sweep_{};
  std::uint64_t refused_concurrency_ = 0;
  std::uint64_t refused_rate_ = 0;
};

}  // namespace ts
