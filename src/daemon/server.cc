// Sessions are freed from a separate event, never from inside their own callbacks, so a
// session can end itself at any point without pulling the stack out from under itself.
#include "daemon/server.h"

#include <sys/socket.h>

#include <algorithm>
#include <csignal>
#include <cstring>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "daemon/descriptor_limit.h"
#include "net/socket_options.h"
#include "obs/log.h"
#include "store/decision_log.h"
#include "store/quarantine_store.h"
#include "util/time_words.h"
#include "util/timeval.h"

namespace ts {
namespace {
// libevent's default backlog (128) overflows under a burst of connections, and each
// dropped SYN costs the client a second or more before its retry (the kernel caps this
// at net.core.somaxconn).
constexpr int kListenBacklog = 4096;
// Each entry is an address and a line of text: a bound far above any real abuse wave.
constexpr std::size_t kPenaltyBoxCapacity = 100000;
// Postfix's postscreen says "421 4.3.2 All server ports are busy" the same way: no session,
// no log line per client, the reply and the close.
constexpr std::string_view kOverloadReply = "421 4.3.2 System overloaded; try again later\r\n";
// How often a spell of overload is logged and checked for its end.
constexpr timeval kOverloadReview{5, 0};
// accept() out of descriptors: the pending clients wait in the backlog meanwhile.
constexpr timeval kAcceptPause{0, 250 * 1000};
constexpr std::time_t kAcceptErrorLogInterval = 10;
}  // namespace

Server::Server(Invocation invocation, Config config, SessionSecurity security,
               std::unique_ptr<store::StoreEnvironment> store)
    : invocation_(std::move(invocation)), store_(std::move(store)) {
  config.generation = 1;
  base_ = event_base_new();
  writer_ = std::make_unique<store::StoreWriter>(*store_, base_);
  callout_prober_ = std::make_unique<LibeventSmtpProber>(base_);
  callout_cache_ = std::make_unique<store::CalloutCacheStore>(*store_, *writer_);
  callout_services_ = std::make_unique<CalloutServices>(
      CalloutServices{*callout_prober_, *callout_cache_, callout_limiter_});
  auto dns_stack = dns::ResolverStack::create(base_, config.dns);
  if (!dns_stack) startup_error_ = "dns: " + dns_stack.error().message;
  runtime_ =
      std::make_shared<Runtime>(std::move(config), dns_stack ? std::move(*dns_stack) : nullptr,
                                callout_services_.get(), std::move(security));
  started_ = std::time(nullptr);
  relay_ = std::make_unique<RelayPool>(base_, poolSettings());
  smtp_gateway_ = std::make_unique<SmtpGatewayUpstream>(*relay_);
  applySmsApiSettings();
  access_ = std::make_unique<AccessPolicy>(*store_);
  auto now = [] { return std::chrono::system_clock::now(); };
  const Config& c = runtime_->config;
  counters_ = std::make_unique<LocalCounterStore>(now, c.rate.max_keys, c.rate.max_members_per_key);
  if (!c.redis.address.empty()) {
    shared_counters_ =
        std::make_unique<RedisCounterStore>(base_, c.redis, *counters_, c.rate.max_members_per_key);
  }
  penalties_ = std::make_unique<PenaltyBox>(now, kPenaltyBoxCapacity);
  clusters_ = std::make_unique<ClusterIndex>(c.surge.cluster_capacity, c.surge.similarity);
  surges_ = std::make_unique<SurgeTracker>(c.surge, counterStore(), now);
  verifier_ = std::make_unique<auth::PasswordVerifier>(base_);
  prune_event_ = event_new(base_, -1, EV_PERSIST, pruneCallback, this);
  timeval every_minute{60, 0};
  event_add(prune_event_, &every_minute);
  reap_event_ = event_new(base_, -1, 0, reapCallback, this);
  overload_event_ = event_new(base_, -1, EV_PERSIST, overloadCallback, this);
  accept_pause_event_ = evtimer_new(base_, acceptPauseCallback, this);
  memory_.setCapacity(c.max_total_message_memory);
  deadline_event_ = evtimer_new(base_, deadlineCallback, this);
  for (int sig : {SIGHUP, SIGTERM, SIGINT}) {
    event* ev = evsignal_new(base_, sig, signalCallback, this);
    event_add(ev, nullptr);
    signal_events_.push_back(ev);
  }
}

Server::~Server() {
  handshakes_.clear();
  sessions_.clear();
  web_.reset();              // pending answers are dropped with it
  web_site_.reset();         // uses the verifier, the surges and the store
  surges_.reset();           // counts on the counter stores
  shared_counters_.reset();  // its connection's events belong to the base
  verifier_.reset();         // its wake-up event belongs to the base
  runtime_.reset();          // its DNS stack frees libevent events: before the base goes
  smtp_gateway_.reset();
  sms_api_.reset();
  sms_client_.reset();  // drops requests in flight: their sessions are gone
  relay_.reset();
  control_.reset();
  metrics_.reset();
  callout_services_.reset();
  callout_cache_.reset();  // queues its writes on the writer: before the writer goes
  callout_prober_.reset();
  writer_.reset();  // commits what is queued before the store closes
  access_.reset();
  store_.reset();
  event_free(prune_event_);
  for (event* ev : signal_events_) event_free(ev);
  if (listener_) evconnlistener_free(listener_);
  event_free(reap_event_);
  event_free(overload_event_);
  event_free(accept_pause_event_);
  event_free(deadline_event_);
  event_base_free(base_);
}

PoolSettings Server::poolSettings() const {
  const Config& c = runtime_->config;
  return PoolSettings{GatewaySettings{c.gateway, c.hostname, c.gateway_connect_timeout,
                                      c.gateway_reply_timeout, c.gateway_tls.context},
                      c.gateway_pool_size, c.gateway_idle_timeout};
}

Upstream& Server::upstream() {
  if (runtime_->config.upstream == UpstreamKind::kSmsApi) return *sms_api_;
  return *smtp_gateway_;
}

void Server::applySmsApiSettings() {
  const Config& c = runtime_->config;
  if (c.upstream != UpstreamKind::kSmsApi) return;
  const SmsApiConfig& api = c.sms_api;
  SmsApiSettings settings{api.url,     api.ca_file,     api.from, api.messaging_service_sid,
                          api.timeout, *api.credentials};
  if (sms_client_) {
    sms_client_->reconfigure(std::move(settings));
    return;
  }
  sms_client_ = std::make_unique<SmsApiClient>(base_, std::move(settings));
  sms_api_ = std::make_unique<SmsApiUpstream>(*sms_client_);
}

int Server::run() {
  if (!startup_error_.empty()) {
    LogLine("-").kv("event", "fatal").kv("reason", startup_error_);
    return 1;
  }
  const Config& c = runtime_->config;
  // The control socket first: a process that cannot have one (another daemon owns the
  // path) must fail before its listener joins a reuse_port group and takes connections.
  auto control = ControlSocket::open(base_, c.controlSocketPath(),
                                     [this](const std::string& r) { return controlRequest(r); });
  if (!control) {
    LogLine("-").kv("event", "fatal").kv("reason", control.error().message);
    return 1;
  }
  control_ = std::move(*control);
  if (!applyMetricsListen(c.metrics_listen)) {
    LogLine("-").kv("event", "fatal").kv("reason", "cannot serve metrics on metrics_listen");
    return 1;
  }
  if (!applyWebListen(c.web, runtime_->security.web_tls)) {
    LogLine("-").kv("event", "fatal").kv("reason", "cannot serve the web pages on web_listen");
    return 1;
  }
  unsigned flags = LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC;
  if (c.reuse_port) flags |= LEV_OPT_REUSEABLE_PORT;
  listener_ = evconnlistener_new_bind(base_, acceptCallback, this, flags, kListenBacklog,
                                      c.listen.sockaddrPtr(), static_cast<int>(c.listen.length()));
  if (!listener_) {
    int error = errno;
    LogLine line("-");
    line.kv("event", "fatal")
        .kv("reason", "cannot listen")
        .kv("address", c.listen.toString())
        .kv("error", std::strerror(error));
    // The kernel shares a port only when every process bound it with SO_REUSEPORT.
    if (error == EADDRINUSE)
      line.kv("hint", "to run several processes on it, set reuse_port = yes in each");
    return 1;
  }
  evconnlistener_set_error_cb(listener_, acceptErrorCallback);
  {
    LogLine listening("-");
    listening.kv("event", "listening").kv("address", c.listen.toString());
    if (c.upstream == UpstreamKind::kSmsApi) {
      listening.kv("upstream", "sms_api").kv("sms_api_url", c.sms_api.url);
    } else {
      listening.kv("gateway", c.gateway.toString());
    }
    listening.kv("generation", static_cast<unsigned long long>(c.generation));
  }
  event_base_dispatch(base_);
  LogLine("-").kv("event", "stopped");
  return 0;
}

void Server::acceptCallback(evconnlistener*, evutil_socket_t fd, sockaddr* addr, int len,
                            void* self) {
  static_cast<Server*>(self)->accept(fd, addr, len);
}

void Server::accept(evutil_socket_t fd, const sockaddr* addr, int len) {
  ++accepted_;
  if (limits_.full(runtime_->config.max_connections)) {
    refuseOverloaded(fd);
    return;
  }
  SocketAddress peer = SocketAddress::fromSockaddr(addr, static_cast<socklen_t>(len));
  evutil_make_socket_nonblocking(fd);
  setNoDelay(fd);
  const Config& c = runtime_->config;
  bool from_proxy = std::any_of(c.proxy_networks.begin(), c.proxy_networks.end(),
                                [&](const Cidr& n) { return n.contains(peer); });
  if (from_proxy) {
    startProxyHandshake(fd, peer);
  } else {
    startSession(fd, peer, std::nullopt);
  }
}

void Server::startProxyHandshake(evutil_socket_t fd, const SocketAddress& proxy) {
  const Config& c = runtime_->config;
  // Sessions are bounded by max_connections; the handshakes before them are too.
  if (handshakes_.size() >= c.max_connections) {
    LogLine("-")
        .kv("event", "proxy")
        .kv("proxy", proxy.host())
        .kv("result", "closed")
        .kv("reason", "too many connections waiting for their PROXY header");
    evutil_closesocket(fd);
    return;
  }
  auto handshake = std::make_unique<ProxyHandshake>(
      base_, fd, proxy, c.proxy_timeout,
      [this](ProxyHandshake& h, Result<ProxyHeader> header) { proxyHeaderRead(h, header); });
  ProxyHandshake* raw = handshake.get();
  handshakes_.emplace(raw, std::move(handshake));
  raw->start();
}

void Server::proxyHeaderRead(ProxyHandshake& handshake, const Result<ProxyHeader>& header) {
  finished_handshakes_.push_back(&handshake);
  event_active(reap_event_, 0, 0);
  if (!header) {
    // No SMTP reply: the peer is a load balancer that does not speak the protocol.
    LogLine("-")
        .kv("event", "proxy")
        .kv("proxy", handshake.proxy().host())
        .kv("result", "closed")
        .kv("reason", header.error().message);
    return;
  }
  // LOCAL (a health check) and address-less headers: the proxy itself is the client.
  SocketAddress client = header->source.value_or(handshake.proxy());
  startSession(handshake.release(), client, handshake.proxy());
}

void Server::startSession(evutil_socket_t fd, const SocketAddress& peer,
                          std::optional<SocketAddress> proxy) {
  smtp::SessionHost host{base_,           &upstream(),
                         access_.get(),   writer_.get(),
                         &check_stats_,   &decision_stats_,
                         &counterStore(), penalties_.get(),
                         clusters_.get(), surges_.get(),
                         &memory_,        &commands_over_rate_,
                         verifier_.get(), [this](smtp::Session* s) { sessionClosed(s); }};
  auto session = std::make_unique<smtp::Session>(host, fd, peer, runtime_, std::move(proxy));
  smtp::Session* raw = session.get();
  const Config& c = runtime_->config;
  if (std::optional<PenaltyBox::Penalty> penalty = penalties_->find(peer.host())) {
    ++refused_penalty_;
    sessions_.emplace(raw, LiveSession{std::move(session), false});
    raw->refuse("4.7.0",
                fmt::format("Your address is in the penalty box until {}: {}. Fix the sending "
                            "software, then connect again after that time",
                            utcTimeWords(penalty->until, std::chrono::system_clock::now()),
                            penalty->reason));
    return;
  }
  auto admission = limits_.admit(peer, {c.max_connections_per_ip, c.max_connections_per_network},
                                 runtime_->isTrusted(peer));
  sessions_.emplace(
      raw, LiveSession{std::move(session), admission == ConnectionLimits::Admission::kAdmitted});
  switch (admission) {
    case ConnectionLimits::Admission::kAdmitted:
      raw->start();
      return;
    case ConnectionLimits::Admission::kTooManyFromAddress:
      raw->refuse("4.7.0", fmt::format("Too many connections from your address (the limit is {}); "
                                       "use fewer parallel connections",
                                       c.max_connections_per_ip));
      return;
    case ConnectionLimits::Admission::kTooManyFromNetwork:
      raw->refuse("4.7.0",
                  fmt::format("Too many connections from your network (the limit is {} per "
                              "IPv4 /24 or IPv6 /64); use fewer parallel connections",
                              c.max_connections_per_network));
      return;
  }
}

void Server::refuseOverloaded(evutil_socket_t fd) {
  // A fresh socket's send buffer is empty: the one line always fits, or the client is gone.
  [[maybe_unused]] ssize_t sent =
      ::send(fd, kOverloadReply.data(), kOverloadReply.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  evutil_closesocket(fd);
  if (!overload_.refused()) return;
  LogLine("-")
      .kv("event", "overload")
      .kv("state", "entered")
      .kv("connections", limits_.total())
      .kv("max_connections", runtime_->config.max_connections);
  event_add(overload_event_, &kOverloadReview);
}

void Server::overloadCallback(evutil_socket_t, short, void* self) {
  static_cast<Server*>(self)->reviewOverload();
}

void Server::reviewOverload() {
  OverloadMonitor::Review review = overload_.review();
  LogLine("-")
      .kv("event", "overload")
      .kv("state", review.ended ? "left" : "continues")
      .kv("refused", static_cast<unsigned long long>(review.ended ? review.refused_spell
                                                                  : review.refused_recent))
      .kv("connections", limits_.total())
      .kv("max_connections", runtime_->config.max_connections);
  if (review.ended) event_del(overload_event_);
}

void Server::acceptErrorCallback(evconnlistener*, void* self) {
  static_cast<Server*>(self)->acceptFailed(EVUTIL_SOCKET_ERROR());
}

void Server::acceptFailed(int error) {
  ++accept_errors_;
  if (!listener_) return;
  // Level-triggered: the pending connection would wake the loop again at once.
  evconnlistener_disable(listener_);
  evtimer_add(accept_pause_event_, &kAcceptPause);
  std::time_t now = std::time(nullptr);
  if (now - accept_error_logged_at_ < kAcceptErrorLogInterval) return;
  LogLine("-")
      .kv("event", "accept")
      .kv("error", std::strerror(error))
      .kv("errors", static_cast<unsigned long long>(accept_errors_ - accept_errors_logged_))
      .kv("connections", limits_.total())
      .kv("action",
          "accepting paused briefly; raise the open-file limit or lower "
          "max_connections if this repeats");
  accept_error_logged_at_ = now;
  accept_errors_logged_ = accept_errors_;
}

void Server::acceptPauseCallback(evutil_socket_t, short, void* self) {
  auto* server = static_cast<Server*>(self);
  if (server->listener_) evconnlistener_enable(server->listener_);
}

void Server::sessionClosed(smtp::Session* session) {
  closed_.push_back(session);
  event_active(reap_event_, 0, 0);
}

void Server::reapCallback(evutil_socket_t, short, void* self) {
  static_cast<Server*>(self)->reapClosed();
}

void Server::reapClosed() {
  for (ProxyHandshake* h : finished_handshakes_) handshakes_.erase(h);
  finished_handshakes_.clear();
  std::vector<smtp::Session*> closed = std::move(closed_);
  closed_.clear();
  for (smtp::Session* s : closed) {
    auto it = sessions_.find(s);
    if (it == sessions_.end()) continue;
    if (it->second.admitted) limits_.release(s->peer());
    sessions_.erase(it);
  }
  maybeFinishShutdown();
}

void Server::signalCallback(evutil_socket_t sig, short, void* self) {
  auto* server = static_cast<Server*>(self);
  if (sig == SIGHUP) {
    server->reload();
  } else {
    server->beginShutdown();
  }
}

void Server::reload() {
  auto loaded = loadConfig(invocation_);
  if (!loaded) {
    LogLine("-")
        .kv("event", "reload")
        .kv("result", "kept previous configuration")
        .kv("reason", loaded.error().message);
    return;
  }
  Config next = std::move(*loaded);
  const Config& current = runtime_->config;
  if (!(next.listen == current.listen) || next.reuse_port != current.reuse_port) {
    LogLine("-")
        .kv("event", "reload")
        .kv("warning", "listen and reuse_port changes need a restart")
        .kv("listen", current.listen.toString());
    next.listen = current.listen;
    next.reuse_port = current.reuse_port;
  }
  if (!(next.redis == current.redis)) {
    LogLine("-").kv("event", "reload").kv("warning", "redis_* changes need a restart");
    next.redis = current.redis;
  }
  // The clusters and counters live across reloads; their bounds are fixed at start.
  if (next.surge.cluster_capacity != current.surge.cluster_capacity ||
      next.surge.similarity != current.surge.similarity ||
      next.rate.max_keys != current.rate.max_keys ||
      next.rate.max_members_per_key != current.rate.max_members_per_key) {
    LogLine("-")
        .kv("event", "reload")
        .kv("warning",
            "surge_cluster_capacity, surge_similarity, counter_max_keys and counter_max_members "
            "changes need a restart");
  }
  if (auto files = checkDescriptors(next, currentDescriptorLimit().soft); !files) {
    LogLine("-")
        .kv("event", "reload")
        .kv("result", "kept previous configuration")
        .kv("reason", files.error().message);
    return;
  }
  // A certificate renewed on disk is read again; a broken one keeps the old configuration.
  auto security = loadSessionSecurity(next);
  if (!security) {
    LogLine("-")
        .kv("event", "reload")
        .kv("result", "kept previous configuration")
        .kv("reason", security.error().message);
    return;
  }
  next.generation = current.generation + 1;
  // The same dns_* keys keep the resolver and its cache; sessions on an old stack keep it
  // alive until they end.
  std::shared_ptr<dns::ResolverStack> dns_stack = runtime_->dns;
  if (!(next.dns == dns_stack->config())) {
    auto fresh = dns::ResolverStack::create(base_, next.dns);
    if (!fresh) {
      LogLine("-")
          .kv("event", "reload")
          .kv("result", "kept previous configuration")
          .kv("reason", "dns: " + fresh.error().message);
      return;
    }
    dns_stack = std::move(*fresh);
  }
  // A metrics address that cannot be bound keeps the endpoint where it was.
  if (!applyMetricsListen(next.metrics_listen)) next.metrics_listen = current.metrics_listen;
  if (!applyWebListen(next.web, security->web_tls)) next.web.listen = current.web.listen;
  runtime_ = std::make_shared<Runtime>(std::move(next), std::move(dns_stack),
                                       callout_services_.get(), std::move(*security));
  relay_->reconfigure(poolSettings());
  applySmsApiSettings();
  surges_->reconfigure(runtime_->config.surge);
  memory_.setCapacity(runtime_->config.max_total_message_memory);
  LogLine("-")
      .kv("event", "reload")
      .kv("result", "ok")
      .kv("generation", static_cast<unsigned long long>(runtime_->config.generation));
}

void Server::beginShutdown() {
  if (draining_) return;
  draining_ = true;
  LogLine("-")
      .kv("event", "shutdown")
      .kv("sessions", static_cast<unsigned long long>(sessions_.size()));
  if (listener_) {
    evconnlistener_free(listener_);
    listener_ = nullptr;
  }
  relay_->closeIdle();
  // A connection still waiting for its PROXY header has heard nothing yet: just close it.
  finished_handshakes_.clear();
  handshakes_.clear();
  for (auto& [raw, live] : sessions_) live.session->shutdown();
  timeval tv = toTimeval(runtime_->config.shutdown_timeout);
  evtimer_add(deadline_event_, &tv);
  maybeFinishShutdown();
}

void Server::maybeFinishShutdown() {
  if (draining_ && sessions_.empty()) event_base_loopexit(base_, nullptr);
}

void Server::deadlineCallback(evutil_socket_t, short, void* self) {
  auto* server = static_cast<Server*>(self);
  LogLine("-")
      .kv("event", "shutdown")
      .kv("result", "deadline reached")
      .kv("sessions", static_cast<unsigned long long>(server->sessions_.size()));
  event_base_loopexit(server->base_, nullptr);
}

std::string Server::controlRequest(const std::string& request) {
  if (request == "status") return status().dump();
  if (request == "dns-cache list") return dnsCacheListing().dump();
  if (request == "dns-cache clear") {
    std::size_t entries = runtime_->dns->cache().list().size();
    runtime_->dns->cache().clear();
    LogLine("-").kv("event", "dns-cache").kv("cleared", static_cast<unsigned long long>(entries));
    return nlohmann::json{{"cleared", entries}}.dump();
  }
  if (auto live = liveStateRequest(request)) return live->dump();
  return nlohmann::json{{"error", "unknown request '" + request +
                                      "' (try: status, dns-cache list|clear, surge list|clear, "
                                      "penalty list|clear, counters list|clear)"}}
      .dump();
}

std::optional<nlohmann::json> Server::liveStateRequest(const std::string& request) {
  std::size_t space = request.find(' ');
  std::string group = request.substr(0, space);
  if (group != "surge" && group != "penalty" && group != "counters") return std::nullopt;
  std::string rest = space == std::string::npos ? "" : request.substr(space + 1);
  std::size_t space2 = rest.find(' ');
  std::string verb = rest.substr(0, space2);
  std::string what = space2 == std::string::npos ? "" : rest.substr(space2 + 1);
  auto epoch = [](std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  };
  if (verb == "clear") {
    std::size_t cleared = group == "surge"     ? surges_->clear(what)
                          : group == "penalty" ? penalties_->clear(what)
                                               : counterStore().clear(what);
    LogLine("-")
        .kv("event", group)
        .kv("action", "clear")
        .kv("target", what.empty() ? "all" : what)
        .kv("cleared", static_cast<unsigned long long>(cleared));
    return nlohmann::json{{"cleared", cleared}};
  }
  if (verb != "list") return nlohmann::json{{"error", "use: " + group + " list|clear"}};
  nlohmann::json entries = nlohmann::json::array();
  if (group == "surge") {
    for (const SurgeEntry& e : surges_->list()) {
      entries.push_back({{"id", e.id},
                         {"level", e.level == SurgeLevel::kConfirmed ? "confirmed" : "surge"},
                         {"since", epoch(e.since)},
                         {"ends", epoch(e.last_seen + runtime_->config.surge.hold)},
                         {"messages", e.messages},
                         {"networks", e.networks},
                         {"senders", e.senders},
                         {"recipients", e.recipients}});
    }
    return nlohmann::json{{"surges", entries}};
  }
  if (group == "penalty") {
    for (const PenaltyBox::Penalty& p : penalties_->list()) {
      entries.push_back({{"client", p.client},
                         {"reason", p.reason},
                         {"since", epoch(p.since)},
                         {"until", epoch(p.until)}});
    }
    return nlohmann::json{{"penalties", entries}};
  }
  for (const CounterEntry& e : counterStore().list(what)) {
    entries.push_back({{"key", e.key},
                       {"kind", e.kind},
                       {"value", e.value},
                       {"expires_in", e.expires_in.count()}});
  }
  return nlohmann::json{{"counters", entries}};
}

nlohmann::json Server::status() const {
  store::ReadTransaction txn(*store_);
  const SurgeStats& surge = surges_->stats();
  nlohmann::json status{
      {"generation", runtime_->config.generation},
      {"uptime_seconds", std::time(nullptr) - started_},
      {"connections", limits_.total()},
      {"connections_accepted", accepted_},
      {"awaiting_proxy_header", handshakes_.size()},
      {"draining", draining_},
      {"gateway_pool_idle", relay_->idleCount()},
      {"gateway_pool_in_use", relay_->inUseCount()},
      {"gateway_connections_opened", relay_->stats().opened},
      {"gateway_failures",
       {{"unreachable", relay_->stats().unreachable},
        {"timeout", relay_->stats().timeouts},
        {"lost", relay_->stats().lost}}},
      {"store_bytes", store_->sizeOnDisk()},
      {"store_writer_queue", writer_->queued()},
      {"quarantined", txn.ok() ? store::QuarantineStore::count(txn.get(), store_->dbs()) : 0},
      {"decisions", txn.ok() ? store::DecisionLog::count(txn.get(), store_->dbs()) : 0},
      {"dns_cache_entries", runtime_->dns->cache().size()},
      {"dns_in_flight", runtime_->dns->cache().inFlightCount()},
      {"dns_cache_hits", runtime_->dns->cache().stats().hits},
      {"dns_cache_misses", runtime_->dns->cache().stats().misses},
      {"dns_cache_joined", runtime_->dns->cache().stats().joined},
      {"outcomes", decision_stats_.toJson()},
      {"checks", check_stats_.toJson()},
      {"surge",
       {{"entered", surge.entered},
        {"exited", surge.exited},
        {"cleared", surge.cleared},
        {"confirmed", surge.confirmed},
        {"deferred", surge.deferred},
        {"rejected", surge.rejected},
        {"quarantined", surge.quarantined}}},
      {"clusters", clusters_->size()},
      {"surges_active", surges_->activeCount()},
      {"counters", counterStatus()},
      {"upstream", runtime_->config.upstream == UpstreamKind::kSmsApi ? "sms_api" : "smtp"},
      {"limits",
       {{"overloaded", overload_.active()},
        {"overload_spells", overload_.spells()},
        {"refused_overload", overload_.refusedTotal()},
        {"refused_per_address", limits_.refusals().per_address},
        {"refused_per_network", limits_.refusals().per_network},
        {"refused_penalty", refused_penalty_},
        {"commands_over_rate", commands_over_rate_},
        {"accept_errors", accept_errors_},
        {"message_memory_bytes", memory_.used()},
        {"message_memory_peak", memory_.peak()},
        {"message_memory_budget", memory_.capacity()},
        {"message_memory_refused", memory_.refusals()}}},
  };
  if (sms_client_) status["sms_api"] = smsApiStatus();
  return status;
}

bool Server::applyMetricsListen(const std::optional<SocketAddress>& address) {
  if (metrics_ && address && metrics_->address() == *address) return true;
  if (!address) {
    if (metrics_) LogLine("-").kv("event", "metrics").kv("state", "closed");
    metrics_.reset();
    return true;
  }
  // The new socket first: if it cannot be bound, scrapers keep the old one.
  auto opened = MetricsEndpoint::open(base_, *address, [this] { return metricsText(); });
  if (!opened) {
    LogLine("-")
        .kv("event", "metrics")
        .kv("state", metrics_ ? "kept" : "off")
        .kv("reason", opened.error().message);
    return false;
  }
  metrics_ = std::move(*opened);
  LogLine("-").kv("event", "metrics").kv("state", "listening").kv("address", address->toString());
  return true;
}

WebServices Server::webServices() {
  WebServices services;
  services.base = base_;
  services.store = store_.get();
  services.writer = writer_.get();
  services.verifier = verifier_.get();
  services.surges = surges_.get();
  services.config = [this]() -> const Config& { return runtime_->config; };
  services.staff_users = [this] { return runtime_->security.staff_users; };
  services.status = [this] { return status(); };
  services.metrics_text = [this] { return metricsText(); };
  services.gateway = [this] { return poolSettings().gateway; };
  return services;
}

bool Server::applyWebListen(const WebConfig& web, std::shared_ptr<const TlsServerContext> tls) {
  if (!web.listen) {
    if (web_) LogLine("-").kv("event", "web").kv("state", "closed");
    web_.reset();
    return true;
  }
  // Same address, same scheme: keep the listener and its connections, renew the certificate.
  if (web_ && web_->address() == *web.listen && web_->tls() == (tls != nullptr)) {
    web_->setTls(std::move(tls));
    return true;
  }
  if (!web_site_) {
    // Made on first use, so a daemon without web pages leaves no key file behind.
    auto key = loadWebSecret(runtime_->config.state_dir + "/web.key");
    if (!key) {
      LogLine("-").kv("event", "web").kv("state", "off").kv("reason", key.error().message);
      return false;
    }
    web_site_ = std::make_unique<WebSite>(webServices(), *key,
                                          [] { return std::chrono::system_clock::now(); });
  }
  bool https = tls != nullptr;
  // A move to another address binds the new one first; the same address is released first.
  if (web_ && web_->address() == *web.listen) web_.reset();
  auto opened = HttpServer::open(
      base_, *web.listen, std::move(tls), runtime_->config.reuse_port,
      [this](const HttpRequest& request, HttpReply reply) { web_site_->handle(request, reply); });
  if (!opened) {
    LogLine("-")
        .kv("event", "web")
        .kv("state", web_ ? "kept" : "off")
        .kv("reason", opened.error().message);
    return false;
  }
  web_ = std::move(*opened);
  LogLine("-")
      .kv("event", "web")
      .kv("state", "listening")
      .kv("address", web.listen->toString())
      .kv("scheme", https ? "https" : "http");
  return true;
}

CounterStore& Server::counterStore() {
  if (shared_counters_) return *shared_counters_;
  return *counters_;
}

// "shared": counting in Redis; "local": Redis is configured but down, each process counts
// alone (the fallback); "in-process": no Redis configured.
nlohmann::json Server::smsApiStatus() const {
  nlohmann::json results = nlohmann::json::object();
  const SmsApiStats& stats = sms_client_->stats();
  for (std::size_t k = 0; k < kSmsApiKindCount; ++k) {
    if (stats.results[k] == 0) continue;
    results[std::string(smsApiKindName(static_cast<SmsApiResult::Kind>(k)))] = stats.results[k];
  }
  return nlohmann::json{{"results", std::move(results)},
                        {"in_flight", sms_client_->inFlightCount()},
                        {"paused_seconds", sms_client_->pausedFor().count()},
                        {"recipients_deferred", sms_api_->recipientsDeferred()}};
}

nlohmann::json Server::counterStatus() const {
  if (!shared_counters_) return nlohmann::json{{"store", "in-process"}, {"fallback", false}};
  RedisHealth h = shared_counters_->health();
  return nlohmann::json{{"store", h.up ? "shared" : "local"},
                        {"fallback", !h.up},
                        {"redis", runtime_->config.redis.address.toString()},
                        {"fallback_spells", h.fallback_spells},
                        {"answered_shared", h.answered_shared},
                        {"answered_local", h.answered_local},
                        {"last_error", h.last_error}};
}

nlohmann::json Server::dnsCacheListing() const {
  nlohmann::json entries = nlohmann::json::array();
  for (const dns::CacheEntry& e : runtime_->dns->cache().list()) {
    entries.push_back({{"name", e.name},
                       {"type", dns::typeName(e.type)},
                       {"status", dns::toString(e.answer.status)},
                       {"records", e.answer.records},
                       {"ttl_seconds", e.answer.ttl.count()}});
  }
  return nlohmann::json{{"entries", entries}};
}

void Server::pruneCallback(evutil_socket_t, short, void* self) {
  auto* server = static_cast<Server*>(self);
  server->pruneDecisionLog();
  server->pruneLiveState();
}

void Server::pruneLiveState() {
  counters_->prune();
  surges_->sweep();  // logs the surges that ended by themselves
}

void Server::pruneDecisionLog() {
  const Config& c = runtime_->config;
  std::int64_t oldest_kept =
      std::time(nullptr) -
      std::chrono::duration_cast<std::chrono::seconds>(c.decision_log_max_age).count();
  std::size_t max_entries = c.decision_log_max_entries;
  auto removed = std::make_shared<std::size_t>(0);
  writer_->submit(
      store::StoreWriter::Urgency::kLazy,
      [oldest_kept, max_entries, removed](MDB_txn* txn, const store::Databases& dbs) {
        auto pruned = store::DecisionLog::prune(txn, dbs, oldest_kept, max_entries);
        if (!pruned) return pruned.error();
        *removed = *pruned;
        return 0;
      },
      [removed](int rc) {
        if (rc != 0 || *removed > 0) {
          LogLine("-")
              .kv("event", "prune")
              .kv("removed", static_cast<unsigned long long>(*removed))
              .kv("result", rc == 0 ? "ok" : store::storeError(rc));
        }
      });
}

}  // namespace ts
