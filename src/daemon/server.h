// The daemon: the listener, the live sessions, connection limits, the gateway pool and
// the signals (SIGHUP reloads, SIGTERM drains). One libevent loop runs all of it.
#pragma once

#include <event2/event.h>
#include <event2/listener.h>

#include <ctime>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include <nlohmann/json_fwd.hpp>
#include "config/config.h"
#include "daemon/runtime.h"

#include "auth/password_verifier.h"
#include "checks/abuse/penalty_box.h"
#include "checks/callout/callout_limiter.h"
#include "checks/callout/callout_services.h"
#include "checks/callout/smtp_prober.h"
#include "checks/fingerprint/cluster_index.h"
#include "checks/rate/local_counter_store.h"
#include "checks/rate/redis_counter_store.h"
#include "checks/surge/surge_tracker.h"
#include "net/connection_limits.h"
#include "net/memory_budget.h"
#include "net/overload_monitor.h"
#include "net/proxy_handshake.h"
#include "obs/check_stats.h"
#include "obs/control_socket.h"
#include "obs/decision_stats.h"
#include "obs/metrics_endpoint.h"
#include "policy/access_policy.h"
#include "relay/relay_pool.h"
#include "relay/sms_api_upstream.h"
#include "relay/smtp_gateway_upstream.h"
#include "smtp/session.h"
#include "store/callout_cache_store.h"
#include "store/store_environment.h"
#include "store/store_writer.h"
#include "web/http_server.h"
#include "web/web_site.h"

namespace ts {

class Server {
 public:
  Server(Invocation invocation, Config config, SessionSecurity security,
         std::unique_ptr<store::StoreEnvironment> store);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listener; then runs the loop until a drain completes. Returns the exit code.
  int run();

 private:
  void accept(evutil_socket_t fd, const sockaddr* addr, int len);
  // A connection from proxy_networks first sends who the client is.
  void startProxyHandshake(evutil_socket_t fd, const SocketAddress& proxy);
  void proxyHeaderRead(ProxyHandshake& handshake, const Result<ProxyHeader>& header);
  // The penalty box, connection limits and the session, all for the client's address.
  void startSession(evutil_socket_t fd, const SocketAddress& peer,
                    std::optional<SocketAddress> proxy);
  // Overload mode: every slot is taken; the client hears 421 4.3.2 and is closed.
  void refuseOverloaded(evutil_socket_t fd);
  void reviewOverload();
  // accept() failed (out of descriptors, out of memory): pause instead of spinning.
  void acceptFailed(int error);
  void sessionClosed(smtp::Session* session);
  void reapClosed();
  void reload();
  void beginShutdown();
  void maybeFinishShutdown();
  PoolSettings poolSettings() const;
  // Where new sessions send their mail: the upstream the current configuration names.
  Upstream& upstream();
  void applySmsApiSettings();
  std::string controlRequest(const std::string& request);
  // surge|penalty|counters list|clear [what]; nullopt when the request is none of them.
  std::optional<nlohmann::json> liveStateRequest(const std::string& request);
  nlohmann::json status() const;
  // GET /metrics: the figures of status() and the counters behind them, in Prometheus's
  // text format (daemon/server_metrics.cc).
  std::string metricsText() const;
  // Opens, keeps, moves or closes the metrics endpoint for metrics_listen; false (logged)
  // when a new address cannot be bound, leaving the endpoint as it was.
  bool applyMetricsListen(const std::optional<SocketAddress>& address);
  // Opens, keeps, moves or closes the web pages for web_listen (and renews their
  // certificate); false (logged) when a new address cannot be bound.
  bool applyWebListen(const WebConfig& web, std::shared_ptr<const TlsServerContext> tls);
  WebServices webServices();
  nlohmann::json counterStatus() const;
  // What the SMS API client did and whether it is paused (once upstream = sms_api was used).
  nlohmann::json smsApiStatus() const;
  CounterStore& counterStore();
  nlohmann::json dnsCacheListing() const;
  void pruneDecisionLog();
  void pruneLiveState();

  static void acceptCallback(evconnlistener* listener, evutil_socket_t fd, sockaddr* addr, int len,
                             void* self);
  static void acceptErrorCallback(evconnlistener* listener, void* self);
  static void acceptPauseCallback(evutil_socket_t fd, short what, void* self);
  static void overloadCallback(evutil_socket_t fd, short what, void* self);
  static void signalCallback(evutil_socket_t sig, short what, void* self);
  static void reapCallback(evutil_socket_t fd, short what, void* self);
  static void deadlineCallback(evutil_socket_t fd, short what, void* self);
  static void pruneCallback(evutil_socket_t fd, short what, void* self);

  Invocation invocation_;
  std::shared_ptr<Runtime> runtime_;
  event_base* base_ = nullptr;
  evconnlistener* listener_ = nullptr;
  std::vector<event*> signal_events_;
  event* reap_event_ = nullptr;
  event* deadline_event_ = nullptr;
  std::unique_ptr<store::StoreEnvironment> store_;
  std::unique_ptr<store::StoreWriter> writer_;
  // The sender callout's daemon-wide parts: they outlive config reloads and sessions.
  std::unique_ptr<LibeventSmtpProber> callout_prober_;
  std::unique_ptr<store::CalloutCacheStore> callout_cache_;
  CalloutLimiter callout_limiter_;
  std::unique_ptr<CalloutServices> callout_services_;
  std::unique_ptr<AccessPolicy> access_;
  std::unique_ptr<ControlSocket> control_;
  std::unique_ptr<MetricsEndpoint> metrics_;
  // The web pages: the site is made when first needed and outlives reloads (its sign-in
  // memory); the listener follows web_listen.
  std::unique_ptr<WebSite> web_site_;
  std::unique_ptr<HttpServer> web_;
  // Rate, abuse and surge state, kept across reloads (DESIGN.md "Scaling out"): in-process,
  // or shared through Redis (redis_address) with the in-process counters as its fallback.
  std::unique_ptr<LocalCounterStore> counters_;
  std::unique_ptr<RedisCounterStore> shared_counters_;
  std::unique_ptr<PenaltyBox> penalties_;
  std::unique_ptr<ClusterIndex> clusters_;
  std::unique_ptr<SurgeTracker> surges_;
  // AUTH's password checks, on their own thread.
  std::unique_ptr<auth::PasswordVerifier> verifier_;
  event* prune_event_ = nullptr;
  std::time_t started_ = 0;
  std::unique_ptr<RelayPool> relay_;
  std::unique_ptr<SmtpGatewayUpstream> smtp_gateway_;
  // Made when a configuration first names the SMS API, kept after: a reload back to smtp
  // leaves the transactions of older sessions their client.
  std::unique_ptr<SmsApiClient> sms_client_;
  std::unique_ptr<SmsApiUpstream> sms_api_;
  ConnectionLimits limits_;
  OverloadMonitor overload_;
  event* overload_event_ = nullptr;  // reviews a spell of overload while it lasts
  event* accept_pause_event_ = nullptr;
  std::uint64_t accepted_ = 0;         // connections accept() took, refused ones too
  std::uint64_t refused_penalty_ = 0;  // turned away by the penalty box
  std::uint64_t accept_errors_ = 0;
  std::uint64_t accept_errors_logged_ = 0;
  std::time_t accept_error_logged_at_ = 0;
  std::uint64_t commands_over_rate_ = 0;
  // Before sessions_: sessions hold reservations of it until they are freed.
  MemoryBudget memory_{0};
  struct LiveSession {
    std::unique_ptr<smtp::Session> session;
    bool admitted;  // counted in limits_, to be released when it closes
  };
  std::unordered_map<smtp::Session*, LiveSession> sessions_;
  std::vector<smtp::Session*> closed_;
  std::unordered_map<ProxyHandshake*, std::unique_ptr<ProxyHandshake>> handshakes_;
  std::vector<ProxyHandshake*> finished_handshakes_;  // freed with the closed sessions
  bool draining_ = false;
  std::string startup_error_;  // a part that could not be built; run() refuses to start
  CheckStatsTable check_stats_;
  DecisionStatsTable decision_stats_;
};

}  // namespace ts
