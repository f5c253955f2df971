// Surge mode on a fake counter store and a fake clock: one business never surges, a
// campaign from several networks does and escalates, surges end after their hold, can be
// listed and cleared, and a store that answers later still gets exactly one answer out.
#include "checks/surge/surge_tracker.h"

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <optional>

namespace ts {
namespace {

using Time = std::chrono::system_clock::time_point;
using std::chrono::minutes;
using std::chrono::seconds;

// Counts exactly (a timestamp per event, a last-seen per member) so the tests can say
// what each count is; answers at once or, when `later` is set, when runLater() is called.
class FakeCounterStore : public CounterStore {
 public:
  explicit FakeCounterStore(const Time& now) : now_(now) {}

  void consume(std::string_view key, RateSpec rate, RateDone done) override {
    std::deque<Time>& events = rates_[std::string(key)];
    while (!events.empty() && events.front() <= now_ - rate.window) events.pop_front();
    RateAnswer answer;
    if (rate.limit > 0 && events.size() >= rate.limit) {
      answer.allowed = false;
      answer.retry_after = std::chrono::duration_cast<seconds>(events.front() + rate.window - now_);
    } else {
      events.push_back(now_);
    }
    deliver([done = std::move(done), answer] { done(answer); });
  }

  void addDistinct(std::string_view key, std::uint64_t member, seconds window,
                   DistinctDone done) override {
    std::map<std::uint64_t, Time>& members = distinct_[std::string(key)];
    std::erase_if(members, [&](const auto& m) { return m.second <= now_ - window; });
    members[member] = now_;
    std::uint64_t n = members.size();
    deliver([done = std::move(done), n] { done(n); });
  }

  std::vector<CounterEntry> list(std::string_view prefix) const override {
    std::vector<CounterEntry> out;
    for (const auto& [key, events] : rates_) {
      if (key.starts_with(prefix)) out.push_back({key, "rate", events.size(), {}});
    }
    for (const auto& [key, members] : distinct_) {
      if (key.starts_with(prefix)) out.push_back({key, "distinct", members.size(), {}});
    }
    return out;
  }

  std::size_t clear(std::string_view prefix) override {
    auto match = [&](const auto& entry) { return entry.first.starts_with(prefix); };
    return std::erase_if(rates_, match) + std::erase_if(distinct_, match);
  }

  // Answers the held requests, newest first: a remote store promises no order.
  void runLater() {
    std::vector<std::function<void()>> held;
    held.swap(held_);
    for (auto it = held.rbegin(); it != held.rend(); ++it) (*it)();
  }

  bool later = false;
  std::size_t held() const { return held_.size(); }

 private:
  void deliver(std::function<void()> answer) {
    if (later) {
      held_.push_back(std::move(answer));
    } else {
      answer();
    }
  }

  const Time& now_;
  std::map<std::string, std::deque<Time>> rates_;
  std::map<std::string, std::map<std::uint64_t, Time>> distinct_;
  std::vector<std::function<void()>> held_;
};

SurgeConfig smallConfig() {
  SurgeConfig c;
  c.enabled = true;
  c.window = minutes(10);
  c.cluster_recipients = 5;
  c.cluster_networks = 3;
  c.cluster_senders = 10;
  c.confirm_networks = 5;
  c.confirm_senders = 30;
  c.hold = minutes(15);
  return c;
}

constexpr std::uint64_t kCluster = 0xab;
constexpr const char* kClusterId = "cluster-00000000000000ab";

class SurgeTrackerTest : public ::testing::Test {
 protected:
  SurgeTrackerTest() : store_(now_) {}

  void start(SurgeConfig config, std::size_t max_surges = SurgeTracker::kMaxSurges) {
    tracker_.emplace(
        std::move(config), store_, [this] { return now_; }, max_surges);
  }

  // Observes one message and insists on exactly one synchronous answer.
  SurgeStatus observe(std::uint64_t cluster, std::string sender, std::string network,
                      std::vector<std::string> recipients) {
    SurgeSample s{cluster, std::move(sender), std::move(recipients), std::move(network)};
    int calls = 0;
    SurgeStatus out;
    tracker_->observe(s, [&](SurgeStatus status) {
      ++calls;
      out = std::move(status);
    });
    EXPECT_EQ(calls, 1);
    return out;
  }

  // Recipients numbered from `first`, so messages can reach new or the same recipients.
  static std::vector<std::string> recipients(int first, int count) {
    std::vector<std::string> out;
    for (int i = first; i < first + count; ++i) {
      out.push_back("+1555000" + std::to_string(1000 + i) + "@sms.example.net");
    }
    return out;
  }

  static std::string network(int n) { return "198.51." + std::to_string(n) + ".0/24"; }

  // Two recipients each from networks 0..count-1: the cluster's campaign spread.
  SurgeStatus campaignFrom(int networks, int first_network = 0) {
    SurgeStatus last;
    for (int n = first_network; n < first_network + networks; ++n) {
      last = observe(kCluster, "bulk@spam.example", network(n), recipients(n * 2, 2));
    }
    return last;
  }

  Time now_ = Time(seconds(1'700'000'000));
  FakeCounterStore store_;
  std::optional<SurgeTracker> tracker_;
};

TEST_F(SurgeTrackerTest, OneSenderOneNetworkNeverSurges) {
  start(smallConfig());
  for (int i = 0; i < 50; ++i) {
    SurgeStatus s = observe(kCluster, "notices@bank.example", network(1), recipients(i * 4, 4));
    EXPECT_EQ(s.level, SurgeLevel::kNone) << i;
    EXPECT_TRUE(s.id.empty());
  }
  EXPECT_EQ(tracker_->stats().entered, 0u);
  EXPECT_TRUE(tracker_->list().empty());
}

TEST_F(SurgeTrackerTest, ThreeNetworksEnterSurge) {
  start(smallConfig());
  EXPECT_EQ(campaignFrom(2).level, SurgeLevel::kNone);  // 4 recipients, 2 networks
  SurgeStatus s = campaignFrom(1, 2);                   // 6 recipients, 3 networks
  EXPECT_EQ(s.level, SurgeLevel::kSurge);
  EXPECT_EQ(s.id, kClusterId);
  EXPECT_NE(s.reason.find(std::string("(surge ") + kClusterId + ")"), std::string::npos);
  EXPECT_NE(s.reason.find("authenticating (SPF/DKIM)"), std::string::npos) << s.reason;
  EXPECT_EQ(tracker_->stats().entered, 1u);
  EXPECT_EQ(tracker_->stats().confirmed, 0u);

  // In surge, even a message from one of its networks to one old recipient is held.
  EXPECT_EQ(observe(kCluster, "bulk@spam.example", network(0), recipients(0, 1)).level,
            SurgeLevel::kSurge);
  auto entries = tracker_->list();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].id, kClusterId);
  EXPECT_EQ(entries[0].messages, 2u);
  EXPECT_EQ(entries[0].networks, 3u);
  EXPECT_EQ(entries[0].recipients, 6u);
  EXPECT_EQ(entries[0].since, now_);
}

TEST_F(SurgeTrackerTest, ManySendersOnOneNetworkEnterSurge) {
  start(smallConfig());
  SurgeStatus s;
  for (int i = 0; i < 10; ++i) {
    s = observe(kCluster, "user" + std::to_string(i) + "@webmail.example", network(7),
                recipients(i, 1));
  }
  EXPECT_EQ(s.level, SurgeLevel::kSurge);
  EXPECT_EQ(tracker_->stats().entered, 1u);
}

TEST_F(SurgeTrackerTest, ManyNetworksConfirmOnce) {
  start(smallConfig());
  EXPECT_EQ(campaignFrom(3).level, SurgeLevel::kSurge);
  EXPECT_EQ(campaignFrom(1, 3).level, SurgeLevel::kSurge);  // 4 networks
  SurgeStatus s = campaignFrom(1, 4);                       // 5 networks: confirmed
  EXPECT_EQ(s.level, SurgeLevel::kConfirmed);
  EXPECT_EQ(s.id, kClusterId);
  EXPECT_EQ(s.reason.rfind("Message refused: it belongs to a bulk spam campaign arriving from 5 "
                           "networks and 1 sender ",
                           0),
            0u)
      << s.reason;
  EXPECT_EQ(campaignFrom(3, 5).level, SurgeLevel::kConfirmed);
  EXPECT_EQ(tracker_->stats().confirmed, 1u);
  EXPECT_EQ(tracker_->stats().entered, 1u);
}

TEST_F(SurgeTrackerTest, ConfirmedWordsFollowTheAction) {
  SurgeConfig c = smallConfig();
  c.confirmed_action = Action::kTempfail;
  c.confirm_networks = 3;
  start(c);
  SurgeStatus s = campaignFrom(3);
  ASSERT_EQ(s.level, SurgeLevel::kConfirmed);
  EXPECT_EQ(s.reason.rfind("Message deferred:", 0), 0u) << s.reason;
  // A campaign seen wide at once enters confirmed and counts as confirmed once.
  EXPECT_EQ(tracker_->stats().entered, 1u);
  EXPECT_EQ(tracker_->stats().confirmed, 1u);
}

TEST_F(SurgeTrackerTest, HoldPassesAndTheSurgeEnds) {
  start(smallConfig());
  ASSERT_EQ(campaignFrom(3).level, SurgeLevel::kSurge);
  // Each message of the surge pushes its end out by `hold`.
  now_ += minutes(10);
  EXPECT_EQ(observe(kCluster, "bulk@spam.example", network(9), recipients(90, 1)).level,
            SurgeLevel::kSurge);
  now_ += minutes(15);
  tracker_->sweep();
  EXPECT_EQ(tracker_->list().size(), 1u);
  EXPECT_EQ(tracker_->stats().exited, 0u);

  now_ += seconds(1);
  EXPECT_EQ(observe(kCluster, "bulk@spam.example", network(0), recipients(0, 1)).level,
            SurgeLevel::kNone);
  EXPECT_EQ(tracker_->stats().exited, 1u);
  EXPECT_TRUE(tracker_->list().empty());
}

TEST_F(SurgeTrackerTest, SweepListAndClear) {
  SurgeConfig c = smallConfig();
  c.network_rate = {1, minutes(10)};
  start(c);
  ASSERT_EQ(campaignFrom(3).level, SurgeLevel::kSurge);
  now_ += seconds(5);
  observe(0, "a@b.example", "203.0.113.0/24", recipients(0, 1));
  ASSERT_EQ(observe(0, "a@b.example", "203.0.113.0/24", recipients(0, 1)).level,
            SurgeLevel::kSurge);

  auto entries = tracker_->list();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].id, kClusterId);
  EXPECT_EQ(entries[1].id, "net-203.0.113.0/24");

  EXPECT_EQ(tracker_->clear("cluster-0000000000000bad"), 0u);
  EXPECT_EQ(tracker_->clear(kClusterId), 1u);
  EXPECT_EQ(tracker_->stats().cleared, 1u);
  // The counts that made the surge are forgotten, so it does not come straight back.
  EXPECT_TRUE(store_.list("surge:00000000000000ab:").empty());
  EXPECT_EQ(observe(kCluster, "bulk@spam.example", network(50), recipients(0, 2)).level,
            SurgeLevel::kNone);

  EXPECT_EQ(tracker_->clear(""), 1u);
  EXPECT_EQ(tracker_->stats().cleared, 2u);
  EXPECT_TRUE(tracker_->list().empty());
  EXPECT_TRUE(store_.list("surge:").empty());
  EXPECT_EQ(tracker_->stats().exited, 0u);
}

TEST_F(SurgeTrackerTest, SweepEndsExpiredSurges) {
  start(smallConfig());
  ASSERT_EQ(campaignFrom(3).level, SurgeLevel::kSurge);
  now_ += minutes(16);
  tracker_->sweep();
  EXPECT_EQ(tracker_->stats().exited, 1u);
  EXPECT_TRUE(tracker_->list().empty());
  // Gone by expiry, so there is nothing left to clear.
  EXPECT_EQ(tracker_->clear(""), 0u);
  EXPECT_EQ(tracker_->stats().cleared, 0u);
}

TEST_F(SurgeTrackerTest, NetworkOverItsRateSurges) {
  SurgeConfig c = smallConfig();
  c.network_rate = {3, minutes(10)};
  start(c);
  const std::string net = "198.51.100.0/24";
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(observe(0, "x@y.example", net, recipients(i, 1)).level, SurgeLevel::kNone);
  }
  SurgeStatus s = observe(0, "x@y.example", net, recipients(3, 1));
  EXPECT_EQ(s.level, SurgeLevel::kSurge);
  EXPECT_EQ(s.id, "net-198.51.100.0/24");
  EXPECT_NE(s.reason.find("Mail from your network (198.51.100.0/24)"), std::string::npos)
      << s.reason;
  EXPECT_NE(s.reason.find("more than 3 messages in 10 minutes"), std::string::npos) << s.reason;
  EXPECT_EQ(tracker_->stats().entered, 1u);

  EXPECT_EQ(tracker_->networkStatus(net).level, SurgeLevel::kSurge);
  EXPECT_EQ(tracker_->networkStatus("192.0.2.0/24").level, SurgeLevel::kNone);
  // Reading does not count: the network is still exactly at its limit.
  EXPECT_EQ(store_.list("surge:net:")[0].value, 3u);

  // The hold runs from the last message over the rate; reading never ends it.
  now_ += minutes(15) + seconds(1);
  EXPECT_EQ(tracker_->networkStatus(net).level, SurgeLevel::kNone);
  EXPECT_EQ(tracker_->stats().exited, 0u);
  tracker_->sweep();
  EXPECT_EQ(tracker_->stats().exited, 1u);
}

TEST_F(SurgeTrackerTest, HigherLevelWins) {
  SurgeConfig c = smallConfig();
  c.network_rate = {1, minutes(10)};
  start(c);
  // Every campaign network is over its rate of 1 from its second message on.
  campaignFrom(3);
  SurgeStatus s = campaignFrom(1, 0);
  EXPECT_EQ(s.level, SurgeLevel::kSurge);
  EXPECT_EQ(s.id, kClusterId);  // the campaign names the surge on a tie
  s = campaignFrom(2, 3);
  EXPECT_EQ(s.level, SurgeLevel::kConfirmed);
  s = observe(0, "bulk@spam.example", network(0), recipients(0, 1));
  EXPECT_EQ(s.level, SurgeLevel::kSurge);
  EXPECT_EQ(s.id, "net-" + network(0));
}

TEST_F(SurgeTrackerTest, DisabledAnswersNoneAndCountsNothing) {
  SurgeConfig c = smallConfig();
  c.enabled = false;
  c.network_rate = {1, minutes(10)};
  start(c);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(campaignFrom(5).level, SurgeLevel::kNone);
  }
  EXPECT_TRUE(store_.list("").empty());
  EXPECT_EQ(tracker_->networkStatus(network(0)).level, SurgeLevel::kNone);
}

TEST_F(SurgeTrackerTest, LaterAnswersCallDoneOnce) {
  SurgeConfig c = smallConfig();
  c.network_rate = {100, minutes(10)};
  start(c);
  campaignFrom(2);
  store_.later = true;
  int calls = 0;
  SurgeStatus got;
  SurgeSample s{kCluster, "bulk@spam.example", recipients(20, 3), network(2)};
  tracker_->observe(s, [&](SurgeStatus status) {
    ++calls;
    got = std::move(status);
  });
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(store_.held(), 6u);  // 3 recipients, network, sender, network rate
  store_.runLater();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(got.level, SurgeLevel::kSurge);
  ASSERT_EQ(tracker_->list().size(), 1u);
  EXPECT_EQ(tracker_->list()[0].recipients, 7u);  // the largest answer, whatever the order
}

TEST_F(SurgeTrackerTest, AnswersAfterTheTrackerIsGoneStillAnswerOnce) {
  start(smallConfig());
  store_.later = true;
  int calls = 0;
  SurgeStatus got;
  got.level = SurgeLevel::kConfirmed;
  tracker_->observe(SurgeSample{kCluster, "a@b.example", recipients(0, 1), network(0)},
                    [&](SurgeStatus status) {
                      ++calls;
                      got = std::move(status);
                    });
  tracker_.reset();
  store_.runLater();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(got.level, SurgeLevel::kNone);
}

TEST_F(SurgeTrackerTest, ReconfigureKeepsActiveSurges) {
  start(smallConfig());
  ASSERT_EQ(campaignFrom(3).level, SurgeLevel::kSurge);
  SurgeConfig c = smallConfig();
  c.cluster_recipients = 1000;
  tracker_->reconfigure(c);
  ASSERT_EQ(tracker_->list().size(), 1u);
  EXPECT_EQ(observe(kCluster, "bulk@spam.example", network(0), recipients(0, 1)).level,
            SurgeLevel::kSurge);
}

TEST_F(SurgeTrackerTest, ActiveSurgesAreBounded) {
  SurgeConfig c = smallConfig();
  c.network_rate = {1, minutes(10)};
  start(c, 2);
  for (int n = 0; n < 3; ++n) {
    now_ += seconds(1);
    observe(0, "a@b.example", network(n), recipients(0, 1));
    ASSERT_EQ(observe(0, "a@b.example", network(n), recipients(0, 1)).level, SurgeLevel::kSurge);
  }
  auto entries = tracker_->list();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].id, "net-" + network(1));  // the idlest was dropped
  EXPECT_EQ(entries[1].id, "net-" + network(2));
  EXPECT_EQ(tracker_->stats().entered, 3u);
  EXPECT_EQ(tracker_->stats().exited, 1u);
}

TEST_F(SurgeTrackerTest, OutcomeCounters) {
  start(smallConfig());
  tracker_->countDeferred();
  tracker_->countRejected();
  tracker_->countQuarantined();
  EXPECT_EQ(tracker_->stats().deferred, 1u);
  EXPECT_EQ(tracker_->stats().rejected, 1u);
  EXPECT_EQ(tracker_->stats().quarantined, 1u);
}

}  // namespace
}  // namespace ts
