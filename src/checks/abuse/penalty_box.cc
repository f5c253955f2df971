// The penalty box: penalties by client, plus an index by end time so that a full box drops
// the penalty ending first (the least harm) and expired ones go without a scan.
#include "checks/abuse/penalty_box.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

namespace ts {

struct PenaltyBox::State {
  Clock clock;
  std::size_t capacity;
  std::map<std::string, Penalty, std::less<>> by_client;
  std::set<std::pair<TimePoint, std::string>> by_until;

  void erase(std::map<std::string, Penalty, std::less<>>::iterator it) {
    by_until.erase({it->second.until, it->first});
    by_client.erase(it);
  }

  void dropExpired(TimePoint now) {
    while (!by_until.empty() && by_until.begin()->first <= now) {
      by_client.erase(by_until.begin()->second);
      by_until.erase(by_until.begin());
    }
  }
};

PenaltyBox::PenaltyBox(Clock clock, std::size_t capacity)
    : state_(std::make_unique<State>(State{std::move(clock), capacity, {}, {}})) {}

PenaltyBox::~PenaltyBox() = default;

void PenaltyBox::add(const std::string& client, std::chrono::seconds duration, std::string reason) {
  if (duration <= std::chrono::seconds::zero() || state_->capacity == 0) return;
  TimePoint now = state_->clock();
  state_->dropExpired(now);
  Penalty penalty{client, std::move(reason), now, now + duration};
  if (auto it = state_->by_client.find(client); it != state_->by_client.end()) {
    penalty.until = std::max(penalty.until, it->second.until);
    state_->erase(it);
  } else if (state_->by_client.size() >= state_->capacity) {
    state_->by_client.erase(state_->by_until.begin()->second);
    state_->by_until.erase(state_->by_until.begin());
  }
  state_->by_until.emplace(penalty.until, client);
  state_->by_client.emplace(client, std::move(penalty));
}

std::optional<PenaltyBox::Penalty> PenaltyBox::find(const std::string& client) {
  state_->dropExpired(state_->clock());
  auto it = state_->by_client.find(client);
  if (it == state_->by_client.end()) return std::nullopt;
  return it->second;
}

std::vector<PenaltyBox::Penalty> PenaltyBox::list() {
  state_->dropExpired(state_->clock());
  std::vector<Penalty> out;
  out.reserve(state_->by_until.size());
  for (const auto& [until, client] : state_->by_until)
    out.push_back(state_->by_client.find(client)->second);
  return out;
}

std::size_t PenaltyBox::clear(std::string_view client) {
  if (client.empty()) {
    std::size_t removed = state_->by_client.size();
    state_->by_client.clear();
    state_->by_until.clear();
    return removed;
  }
  auto it = state_->by_client.find(client);
  if (it == state_->by_client.end()) return 0;
  state_->erase(it);
  return 1;
}

}  // namespace ts
