// Clients sent away for abuse wait here: until their penalty ends, a new connection from
// the address is answered 421 4.7.0 with the reason and the time it ends. In-process,
// listed and cleared through the control socket (`textscreenctl penalty list|clear`).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ts {

class PenaltyBox {
 public:
  using TimePoint = std::chrono::system_clock::time_point;
  using Clock = std::function<TimePoint()>;

  struct Penalty {
    std::string client;
    std::string reason;
    TimePoint since;
    TimePoint until;
  };

  // At most `capacity` penalties; when full, the one ending first gives way. 0 holds none.
  PenaltyBox(Clock clock, std::size_t capacity);
  ~PenaltyBox();

  // A new penalty for the same client replaces the old one (and never shortens it). A
  // duration of 0 adds nothing (penalty_time = 0 turns the box off).
  void add(const std::string& client, std::chrono::seconds duration, std::string reason);
  std::optional<Penalty> find(const std::string& client);  // expired ones are dropped
  std::vector<Penalty> list();
  // "" clears all; returns how many were removed.
  std::size_t clear(std::string_view client);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace ts
