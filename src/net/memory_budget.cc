// Reservations are whole messages, not bytes as they arrive: a message refused halfway
// through DATA would have to be read to its end anyway, and the client would have sent
// it for nothing.
#include "net/memory_budget.h"

#include <algorithm>
#include <utility>

namespace ts {

MemoryBudget::Reservation::Reservation(Reservation&& other) noexcept
    : budget_(std::exchange(other.budget_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}

MemoryBudget::Reservation& MemoryBudget::Reservation::operator=(Reservation&& other) noexcept {
  if (this != &other) {
    release();
    budget_ = std::exchange(other.budget_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

void MemoryBudget::Reservation::release() {
  if (!budget_) return;
  budget_->used_ -= bytes_;
  budget_ = nullptr;
  bytes_ = 0;
}

MemoryBudget::Reservation MemoryBudget::reserve(std::uint64_t bytes) {
  if (bytes > capacity_ || used_ > capacity_ - bytes) {
    ++refusals_;
    return Reservation();
  }
  used_ += bytes;
  peak_ = std::max(peak_, used_);
  return Reservation(this, bytes);
}

}  // namespace ts
