// The counter interface already answers through callbacks (STYLE.md 2), so a consume waits
// for Redis's own answer and the fleet's count is exact, rather than answering from a local
// guess refreshed by later replies: a limit of N then admits N across the fleet, not N per
// process until the replies catch up. What bounds the wait is redis_timeout: replies come
// in request order, so one timer on the oldest request finds a stall, and at it every
// pending request is answered locally and the connection dropped; it is retried every
// second. Requests carry a sequence number, so a reply of a dropped connection is ignored.
#include "checks/rate/redis_counter_store.h"

#include <hiredis/adapters/libevent.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "checks/rate/redis_counter_protocol.h"
#include "obs/log.h"
#include "util/timeval.h"

namespace ts {
namespace {

using Steady = std::chrono::steady_clock;

// Reconnecting is a non-blocking connect to an address literal: cheap enough to try often,
// and a second is short against any counter's window.
constexpr timeval kRetryInterval{1, 0};

}  // namespace

struct RedisCounterStore::State {
  enum class Link { kConnecting, kUp, kDown };

  // One request sent and not yet answered. `answer` gets the reply (nullptr: none came)
  // and answers the caller, from the reply or from the local counters; it says whether
  // the reply was usable.
  struct Request {
    std::uint64_t seq;
    Steady::time_point deadline;
    std::function<bool(const redisReply*)> answer;
  };

  event_base* base;
  RedisConfig config;
  LocalCounterStore& local;
  std::size_t max_members;
  redisAsyncContext* ctx = nullptr;
  Link link = Link::kDown;
  bool in_spell = false;  // falling back since the last "down" log line
  Steady::time_point connect_deadline;
  std::deque<Request> inflight;
  std::uint64_t next_seq = 1;
  event* deadline_event = nullptr;
  event* retry_event = nullptr;
  RedisHealth health;

  State(event_base* b, RedisConfig c, LocalCounterStore& l, std::size_t m)
      : base(b), config(std::move(c)), local(l), max_members(std::max<std::size_t>(m, 1)) {
    deadline_event = evtimer_new(base, onDeadline, this);
    retry_event = evtimer_new(base, onRetry, this);
  }

  ~State() {
    // Nobody waits for these any more: the sessions went first.
    inflight.clear();
    if (ctx != nullptr) {
      redisAsyncContext* c = ctx;
      ctx = nullptr;
      redisAsyncFree(c);
    }
    event_free(deadline_event);
    event_free(retry_event);
  }

  void connect() {
    const RedisAddress& a = config.address;
    redisAsyncContext* c = a.unix_path.empty() ? redisAsyncConnect(a.host.c_str(), a.port)
                                               : redisAsyncConnectUnix(a.unix_path.c_str());
    if (c == nullptr) {
      fallBack("cannot allocate a Redis context");
      return;
    }
    if (c->err != 0) {
      std::string why = c->errstr;
      redisAsyncFree(c);
      fallBack(why);
      return;
    }
    c->data = this;
    redisLibeventAttach(c, base);
    redisAsyncSetConnectCallback(c, onConnect);
    redisAsyncSetDisconnectCallback(c, onDisconnect);
    ctx = c;
    link = Link::kConnecting;
    connect_deadline = Steady::now() + config.timeout;
    armDeadline();
  }

  void armDeadline() {
    if (evtimer_pending(deadline_event, nullptr)) return;
    timeval tv = toTimeval(config.timeout);
    evtimer_add(deadline_event, &tv);
  }

  // Redis cannot be used now: every pending request is answered locally, the connection
  // (if any) dropped, and a reconnect scheduled. Logged once per spell.
  void fallBack(const std::string& why) {
    link = Link::kDown;
    // Taken first, so the null replies hiredis gives them while freeing find no match.
    std::deque<Request> orphans = std::move(inflight);
    inflight.clear();
    if (ctx != nullptr) {
      redisAsyncContext* c = ctx;
      ctx = nullptr;
      redisAsyncFree(c);  // deferred by hiredis when called from its own callback
    }
    if (!in_spell) {
      in_spell = true;
      ++health.fallback_spells;
      health.last_error = why;
      LogLine("-")
          .kv("event", "redis")
          .kv("state", "down")
          .kv("address", config.address.toString())
          .kv("reason", why)
          .kv("counters", "local");
    }
    for (Request& r : orphans) r.answer(nullptr);
    if (!evtimer_pending(retry_event, nullptr)) evtimer_add(retry_event, &kRetryInterval);
  }

  void connected() {
    link = Link::kUp;
    LogLine("-")
        .kv("event", "redis")
        .kv("state", "up")
        .kv("address", config.address.toString())
        .kv("counters", "shared")
        .kv("after_spell", in_spell ? "yes" : "no");
    in_spell = false;
  }

  // Sends one EVAL; false when it could not be queued (the caller answers locally).
  bool send(const std::vector<std::string>& args, std::function<bool(const redisReply*)> answer) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lens;
    for (const std::string& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    std::uint64_t seq = next_seq++;
    void* tag = reinterpret_cast<void*>(static_cast<std::uintptr_t>(seq));
    if (redisAsyncCommandArgv(ctx, onReply, tag, static_cast<int>(argv.size()), argv.data(),
                              lens.data()) != REDIS_OK) {
      return false;
    }
    inflight.push_back(Request{seq, Steady::now() + config.timeout, std::move(answer)});
    armDeadline();
    return true;
  }

  static void onConnect(const redisAsyncContext* ac, int status) {
    auto* s = static_cast<State*>(ac->data);
    if (s->ctx != ac) return;
    if (status != REDIS_OK) {
      s->ctx = nullptr;  // hiredis frees it after this callback
      s->fallBack(ac->errstr != nullptr ? ac->errstr : "cannot connect");
      return;
    }
    s->connected();
  }

  static void onDisconnect(const redisAsyncContext* ac, int status) {
    auto* s = static_cast<State*>(ac->data);
    if (s->ctx != ac) return;  // one this store dropped itself
    s->ctx = nullptr;
    s->fallBack(status == REDIS_OK || ac->errstr == nullptr ? "connection closed by Redis"
                                                            : ac->errstr);
  }

  static void onReply(redisAsyncContext* ac, void* reply, void* tag) {
    auto* s = static_cast<State*>(ac->data);
    auto seq = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(tag));
    if (s->inflight.empty() || s->inflight.front().seq != seq) return;
    Request request = std::move(s->inflight.front());
    s->inflight.pop_front();
    auto* r = static_cast<const redisReply*>(reply);
    // A null reply means the connection is going; its disconnect callback follows.
    if (!request.answer(r) && r != nullptr && s->ctx == ac) {
      s->fallBack("unexpected reply: " + redis::describeReply(r));
    }
  }

  static void onDeadline(evutil_socket_t, short, void* arg) {
    auto* s = static_cast<State*>(arg);
    Steady::time_point now = Steady::now();
    if (s->link == Link::kConnecting && now >= s->connect_deadline) {
      s->fallBack("no connection within redis_timeout");
      return;
    }
    if (!s->inflight.empty() && now >= s->inflight.front().deadline) {
      s->fallBack("no answer within redis_timeout");
      return;
    }
    Steady::time_point next = Steady::time_point::max();
    if (s->link == Link::kConnecting) next = s->connect_deadline;
    if (!s->inflight.empty()) next = std::min(next, s->inflight.front().deadline);
    if (next == Steady::time_point::max()) return;
    timeval tv = toTimeval(std::chrono::ceil<std::chrono::milliseconds>(next - now));
    evtimer_add(s->deadline_event, &tv);
  }

  static void onRetry(evutil_socket_t, short, void* arg) {
    auto* s = static_cast<State*>(arg);
    if (s->link == Link::kDown) s->connect();
  }
};

RedisCounterStore::RedisCounterStore(event_base* base, RedisConfig config, LocalCounterStore& local,
                                     std::size_t max_members_per_key)
    : state_(std::make_unique<State>(base, std::move(config), local, max_members_per_key)) {
  state_->connect();
}

RedisCounterStore::~RedisCounterStore() = default;

void RedisCounterStore::consume(std::string_view key, RateSpec rate, RateDone done) {
  State& s = *state_;
  if (rate.limit == 0 || rate.window <= std::chrono::seconds::zero()) {
    done(RateAnswer{});
    return;
  }
  auto answer_locally = [&s, key = std::string(key), rate](RateDone& d) {
    ++s.health.answered_local;
    s.local.consume(key, rate, std::move(d));
  };
  if (s.link != State::Link::kUp) {
    answer_locally(done);
    return;
  }
  redis::GcraArguments gcra = redis::gcraArguments(rate);
  std::vector<std::string> args = {"EVAL",
                                   redis::kConsumeScript,
                                   "1",
                                   redis::keyFor(s.config.key_prefix, key),
                                   std::to_string(gcra.window_us),
                                   std::to_string(gcra.interval_us)};
  auto answer = [&s, key = std::string(key), rate, answer_locally,
                 done](const redisReply* reply) mutable {
    std::optional<RateAnswer> shared = redis::readConsumeReply(reply);
    if (!shared) {
      answer_locally(done);
      return false;
    }
    ++s.health.answered_shared;
    // The local shadow only records; its own answer is the fleet's business no longer.
    if (shared->allowed) s.local.consume(key, rate, [](RateAnswer) {});
    done(*shared);
    return true;
  };
  if (!s.send(args, answer)) {
    answer_locally(done);
    s.fallBack("cannot send to Redis");
  }
}

void RedisCounterStore::addDistinct(std::string_view key, std::uint64_t member,
                                    std::chrono::seconds window, DistinctDone done) {
  State& s = *state_;
  if (s.link != State::Link::kUp) {
    ++s.health.answered_local;
    s.local.addDistinct(key, member, window, std::move(done));
    return;
  }
  s.local.addDistinct(key, member, window, [](std::uint64_t) {});
  std::vector<std::string> args = {
      "EVAL",
      redis::kAddDistinctScript,
      "1",
      redis::keyFor(s.config.key_prefix, key),
      std::to_string(member),
      std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(window).count()),
      std::to_string(s.max_members)};
  // The local shadow already holds this member, so a fallback answer only reads it again.
  auto answer = [&s, key = std::string(key), member, window,
                 done = std::move(done)](const redisReply* reply) {
    std::optional<std::uint64_t> shared = redis::readCountReply(reply);
    if (!shared) {
      ++s.health.answered_local;
      s.local.addDistinct(key, member, window, done);
      return false;
    }
    ++s.health.answered_shared;
    done(*shared);
    return true;
  };
  if (!s.send(args, answer)) {
    answer(nullptr);
    s.fallBack("cannot send to Redis");
  }
}

std::vector<CounterEntry> RedisCounterStore::list(std::string_view prefix) const {
  return state_->local.list(prefix);
}

std::size_t RedisCounterStore::clear(std::string_view prefix) {
  State& s = *state_;
  std::size_t cleared = s.local.clear(prefix);
  if (s.link != State::Link::kUp) return cleared;
  std::string pattern = redis::scanPatternFor(s.config.key_prefix, prefix);
  std::vector<std::string> args = {"EVAL", redis::kClearScript, "0", pattern};
  auto answer = [pattern](const redisReply* reply) {
    std::optional<std::uint64_t> unlinked = redis::readCountReply(reply);
    if (!unlinked) return false;
    LogLine("-")
        .kv("event", "redis")
        .kv("action", "clear")
        .kv("pattern", pattern)
        .kv("cleared", static_cast<unsigned long long>(*unlinked));
    return true;
  };
  if (!s.send(args, answer)) s.fallBack("cannot send to Redis");
  return cleared;
}

RedisHealth RedisCounterStore::health() const {
  RedisHealth h = state_->health;
  h.up = state_->link == State::Link::kUp;
  return h;
}

}  // namespace ts
