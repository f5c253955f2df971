// Sends SMS through a Twilio-style HTTPS API from the libevent loop: one exchange (and one
// connection) per message, a shared pause after the API asks for one (429/503 with
// Retry-After), and handlers that run exactly once, never inside send().
#pragma once

#include <event2/event.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dns/resolver.h"
#include "relay/sms_api_endpoint.h"
#include "relay/sms_api_exchange.h"
#include "relay/sms_api_result.h"
#include "relay/sms_api_settings.h"
#include "relay/sms_api_stats.h"

namespace ts {

class SmsApiClient {
 public:
  using RequestId = std::uint64_t;
  using Handler = std::function<void(const SmsApiResult&)>;

  // Settings that SmsApiEndpoint::create refuses do not stop the daemon here (the config
  // check refuses them first): every send then ends kUnreachable, saying why in detail.
  SmsApiClient(event_base* base, SmsApiSettings settings);
  // In-flight requests are dropped: their handlers are never called; their resolvers must
  // still be alive (their queries are cancelled). May run inside a handler.
  ~SmsApiClient();
  SmsApiClient(const SmsApiClient&) = delete;
  SmsApiClient& operator=(const SmsApiClient&) = delete;

  // to: E.164 ("+14155551212"). resolver: used when the URL host is a name; must stay alive
  // until the handler ran or cancel() was called. The handler runs exactly once (never
  // inside send()), unless cancelled. While paused the request ends kPaused without any
  // network use.
  RequestId send(dns::Resolver& resolver, std::string to, std::string body, Handler done);
  // The handler is never called after this. An unknown or finished id does nothing.
  void cancel(RequestId id);
  // After a 429/503 with Retry-After: how long until requests go out again (0 when not
  // paused), rounded up to whole seconds.
  std::chrono::seconds pausedFor() const;
  // Applies to requests sent from now on; the pause stays (it is the API's, not ours).
  void reconfigure(SmsApiSettings settings);
  // Why the current settings cannot be used, or empty.
  const std::string& settingsError() const { return settings_error_; }
  // Results of the requests that ended (cancelled ones are not counted) and their times.
  const SmsApiStats& stats() const { return stats_; }
  std::size_t inFlightCount() const { return in_flight_.size(); }

 private:
  struct InFlight {
    std::unique_ptr<SmsApiExchange> exchange;
    Handler handler;
    std::chrono::steady_clock::time_point started;
  };

  void finished(RequestId id, SmsApiResult result);
  // Exchanges are freed from a deferred event, never inside their own libevent callbacks.
  void retire(std::unique_ptr<SmsApiExchange> exchange);
  static void reapCallback(evutil_socket_t, short, void* self);

  event_base* base_;
  std::shared_ptr<const SmsApiEndpoint> endpoint_;
  std::string settings_error_;
  std::map<RequestId, InFlight> in_flight_;
  std::vector<std::unique_ptr<SmsApiExchange>> retired_;
  event* reaper_ = nullptr;
  RequestId next_id_ = 1;
  std::chrono::steady_clock::time_point paused_until_{};
  SmsApiStats stats_;
  SmsApiExchange* calling_ = nullptr;                           // whose handler runs now
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // false once destroyed
};

}  // namespace ts
