// The daemon-wide bound on buffered message bytes (DESIGN.md invariant 6): each session
// reserves its message's largest size (max_message_size) when DATA begins and gives it
// back when the transaction ends, after the relay or the quarantine no longer holds the
// message. A reservation that does not fit is refused before 354, so the client hears
// 452 4.3.1 and keeps its message; nothing is lost.
#pragma once

#include <cstdint>

namespace ts {

class MemoryBudget {
 public:
  // Held by a session for one message; gives the bytes back when it goes.
  class Reservation {
   public:
    Reservation() = default;
    Reservation(Reservation&& other) noexcept;
    Reservation& operator=(Reservation&& other) noexcept;
    Reservation(const Reservation&) = delete;
    Reservation& operator=(const Reservation&) = delete;
    ~Reservation() { release(); }

    explicit operator bool() const { return budget_ != nullptr; }
    void release();

   private:
    friend class MemoryBudget;
    Reservation(MemoryBudget* budget, std::uint64_t bytes) : budget_(budget), bytes_(bytes) {}
    MemoryBudget* budget_ = nullptr;
    std::uint64_t bytes_ = 0;
  };

  explicit MemoryBudget(std::uint64_t capacity) : capacity_(capacity) {}

  // An empty reservation when the bytes do not fit (counted as a refusal).
  Reservation reserve(std::uint64_t bytes);
  // A reload may change the budget; reservations already made stay valid.
  void setCapacity(std::uint64_t capacity) { capacity_ = capacity; }

  std::uint64_t capacity() const { return capacity_; }
  std::uint64_t used() const { return used_; }
  std::uint64_t peak() const { return peak_; }
  std::uint64_t refusals() const { return refusals_; }

 private:
  std::uint64_t capacity_;
  std::uint64_t used_ = 0;
  std::uint64_t peak_ = 0;
  std::uint64_t refusals_ = 0;
};

}  // namespace ts
