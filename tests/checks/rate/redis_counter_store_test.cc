// The Redis counter store when Redis is no good, on a real loop against loopback peers:
// nobody listening, a peer that never answers, a peer that answers an error. Each time the
// caller still gets its answer (from the local counters, within redis_timeout), and the
// spell is counted once. Counting in a real Redis is tests/integration/test_fleet.py.
#include "checks/rate/redis_counter_store.h"

#include <event2/event.h>
#include <event2/listener.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <list>
#include <string>
#include <vector>

#include "checks/rate/fake_clock.h"

namespace ts {
namespace {

using namespace std::chrono_literals;
using testing::FakeClock;

// A loopback listener that accepts and then does what `on_data` says with what it reads.
class FakeRedis {
 public:
  using OnData = std::function<void(evutil_socket_t fd)>;
  FakeRedis(event_base* base, OnData on_data) : base_(base), on_data_(std::move(on_data)) {
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    listener_ = evconnlistener_new_bind(base, onAccept, this, LEV_OPT_CLOSE_ON_FREE, -1,
                                        reinterpret_cast<sockaddr*>(&sin), sizeof(sin));
    socklen_t len = sizeof(sin);
    getsockname(evconnlistener_get_fd(listener_), reinterpret_cast<sockaddr*>(&sin), &len);
    port_ = ntohs(sin.sin_port);
  }
  ~FakeRedis() {
    for (Client& c : clients_) {
      event_free(c.ev);
      close(c.fd);
    }
    evconnlistener_free(listener_);
  }
  std::uint16_t port() const { return port_; }

 private:
  struct Client {
    FakeRedis* self;
    evutil_socket_t fd;
    event* ev;
  };

  static void onAccept(evconnlistener*, evutil_socket_t fd, sockaddr*, int, void* arg) {
    auto* self = static_cast<FakeRedis*>(arg);
    // A list, so the Client an event points at never moves.
    Client& c = self->clients_.emplace_back(Client{self, fd, nullptr});
    c.ev = event_new(self->base_, fd, EV_READ | EV_PERSIST, onRead, &c);
    event_add(c.ev, nullptr);
  }
  static void onRead(evutil_socket_t fd, short, void* arg) {
    auto* c = static_cast<Client*>(arg);
    char buf[65536];
    if (read(fd, buf, sizeof(buf)) > 0) {
      c->self->on_data_(fd);
    } else {
      event_del(c->ev);  // the store hung up: nothing more to read
    }
  }

  event_base* base_;
  OnData on_data_;
  evconnlistener* listener_ = nullptr;
  std::uint16_t port_ = 0;
  std::list<Client> clients_;
};

// A loopback port nobody listens on: bound, then closed.
std::uint16_t closedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&sin), sizeof(sin));
  socklen_t len = sizeof(sin);
  getsockname(fd, reinterpret_cast<sockaddr*>(&sin), &len);
  close(fd);
  return ntohs(sin.sin_port);
}

class RedisCounterStoreTest : public ::testing::Test {
 protected:
  RedisCounterStoreTest() {
    base_ = event_base_new();
    tick_ = event_new(
        base_, -1, EV_PERSIST, [](evutil_socket_t, short, void*) {}, nullptr);
    timeval every{0, 10 * 1000};
    event_add(tick_, &every);
  }
  ~RedisCounterStoreTest() override {
    store_.reset();
    fake_.reset();
    event_free(tick_);
    event_base_free(base_);
  }

  void start(std::uint16_t port) {
    RedisConfig config;
    config.address.host = "127.0.0.1";
    config.address.port = port;
    config.timeout = 100ms;
    store_ = std::make_unique<RedisCounterStore>(base_, config, local_, 100);
  }

  // Runs the loop until `done` holds, at most 3 seconds.
  bool runUntil(const std::function<bool()>& done) {
    auto deadline = std::chrono::steady_clock::now() + 3s;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      event_base_loop(base_, EVLOOP_ONCE);
    }
    return true;
  }

  event_base* base_ = nullptr;
  event* tick_ = nullptr;
  FakeClock clock_;
  LocalCounterStore local_{clock_.fn(), 1000, 100};
  std::unique_ptr<FakeRedis> fake_;
  std::unique_ptr<RedisCounterStore> store_;
};

TEST_F(RedisCounterStoreTest, NobodyListeningFallsBackToLocalCounters) {
  start(closedPort());
  ASSERT_TRUE(runUntil([&] { return store_->health().fallback_spells == 1; }));
  EXPECT_FALSE(store_->health().up);
  EXPECT_FALSE(store_->health().last_error.empty());
  // Down: answered at once, by the local counters, which do count.
  std::vector<bool> allowed;
  for (int i = 0; i < 3; ++i) {
    store_->consume("rate:domain:example.com", RateSpec{2, 1h},
                    [&](RateAnswer a) { allowed.push_back(a.allowed); });
  }
  EXPECT_EQ(allowed, (std::vector<bool>{true, true, false}));
  std::uint64_t distinct = 0;
  store_->addDistinct("surge:x:rcpt", 7, 10min, [&](std::uint64_t n) { distinct = n; });
  EXPECT_EQ(distinct, 1u);
  EXPECT_EQ(store_->health().answered_local, 4u);
  // Reconnect attempts that keep failing are the same spell.
  auto again = std::chrono::steady_clock::now() + 1500ms;
  runUntil([&] { return std::chrono::steady_clock::now() > again; });
  EXPECT_EQ(store_->health().fallback_spells, 1u);
}

TEST_F(RedisCounterStoreTest, SilentRedisIsAnsweredLocallyAtTheTimeout) {
  fake_ = std::make_unique<FakeRedis>(base_, [](evutil_socket_t) {});
  start(fake_->port());
  ASSERT_TRUE(runUntil([&] { return store_->health().up; }));
  bool answered = false;
  RateAnswer answer;
  auto asked = std::chrono::steady_clock::now();
  store_->consume("rate:client:192.0.2.1", RateSpec{5, 1h}, [&](RateAnswer a) {
    answered = true;
    answer = a;
  });
  EXPECT_FALSE(answered) << "waits for Redis while it is up";
  ASSERT_TRUE(runUntil([&] { return answered; }));
  EXPECT_GE(std::chrono::steady_clock::now() - asked, 90ms);
  EXPECT_TRUE(answer.allowed);
  RedisHealth h = store_->health();
  EXPECT_FALSE(h.up);
  EXPECT_EQ(h.fallback_spells, 1u);
  EXPECT_EQ(h.answered_local, 1u);
  EXPECT_EQ(h.last_error, "no answer within redis_timeout");
  // The fallback counted it.
  EXPECT_EQ(local_.list("rate:client:").at(0).value, 1u);
}

TEST_F(RedisCounterStoreTest, ErrorReplyIsAFaultAndTheCallerStillGetsAnAnswer) {
  fake_ = std::make_unique<FakeRedis>(base_, [](evutil_socket_t fd) {
    const char reply[] = "-ERR boom\r\n";
    EXPECT_EQ(write(fd, reply, sizeof(reply) - 1), static_cast<ssize_t>(sizeof(reply) - 1));
  });
  start(fake_->port());
  ASSERT_TRUE(runUntil([&] { return store_->health().up; }));
  std::vector<std::uint64_t> counts;
  store_->addDistinct("surge:c:net", 1, 10min, [&](std::uint64_t n) { counts.push_back(n); });
  store_->addDistinct("surge:c:net", 2, 10min, [&](std::uint64_t n) { counts.push_back(n); });
  ASSERT_TRUE(runUntil([&] { return counts.size() == 2; }));
  // Both from the local counters, which saw both members.
  EXPECT_EQ(counts, (std::vector<std::uint64_t>{2, 2}));
  RedisHealth h = store_->health();
  EXPECT_FALSE(h.up);
  EXPECT_EQ(h.fallback_spells, 1u);
  EXPECT_EQ(h.last_error, "unexpected reply: ERR boom");
  EXPECT_EQ(h.answered_shared, 0u);
}

}  // namespace
}  // namespace ts
