// The metrics endpoint: libevent's HTTP server on the daemon's own loop, answering
// GET /metrics with the Prometheus text the daemon renders at that moment, and 404 for
// any other path. Off unless metrics_listen names an address.
#pragma once

#include <event2/event.h>

#include <functional>
#include <memory>
#include <string>

#include "net/socket_address.h"
#include "util/result.h"

struct evhttp;
struct evhttp_request;

namespace ts {

class MetricsEndpoint {
 public:
  // The exposition text; called on the loop for each scrape, so it must not block.
  using Render = std::function<std::string()>;

  static Result<std::unique_ptr<MetricsEndpoint>> open(event_base* base,
                                                       const SocketAddress& address, Render render);
  ~MetricsEndpoint();
  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;

  const SocketAddress& address() const { return address_; }

 private:
  MetricsEndpoint(SocketAddress address, Render render)
      : address_(std::move(address)), render_(std::move(render)) {}
  static void onRequest(evhttp_request* request, void* self);

  SocketAddress address_;
  Render render_;
  evhttp* http_ = nullptr;
};

}  // namespace ts
