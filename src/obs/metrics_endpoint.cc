// The listening socket is bound here from the configured address literal and handed to
// evhttp, so no name is ever resolved. evhttp reads requests and writes answers through
// bufferevents on the loop; a scraper that stalls is dropped after kTimeoutSeconds.
#include "obs/metrics_endpoint.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/listener.h>

#include <cerrno>
#include <cstring>

namespace ts {
namespace {

constexpr std::string_view kPath = "/metrics";
constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";
constexpr int kTimeoutSeconds = 10;
// A scrape is one short GET: anything larger is not a scraper.
constexpr ev_ssize_t kMaxHeaderBytes = 8192;
constexpr ev_ssize_t kMaxBodyBytes = 0;
constexpr int kBacklog = 16;

}  // namespace

Result<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::open(event_base* base,
                                                               const SocketAddress& address,
                                                               Render render) {
  std::unique_ptr<MetricsEndpoint> endpoint(new MetricsEndpoint(address, std::move(render)));
  evconnlistener* listener = evconnlistener_new_bind(
      base, nullptr, nullptr, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
      kBacklog, address.sockaddrPtr(), static_cast<int>(address.length()));
  if (!listener) {
    return fail("metrics_listen: cannot listen on " + address.toString() + ": " +
                std::strerror(errno));
  }
  endpoint->http_ = evhttp_new(base);
  if (!endpoint->http_ || !evhttp_bind_listener(endpoint->http_, listener)) {
    evconnlistener_free(listener);
    return fail("metrics_listen: cannot start the HTTP server on " + address.toString());
  }
  evhttp_set_allowed_methods(endpoint->http_, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
  evhttp_set_timeout(endpoint->http_, kTimeoutSeconds);
  evhttp_set_max_headers_size(endpoint->http_, kMaxHeaderBytes);
  evhttp_set_max_body_size(endpoint->http_, kMaxBodyBytes);
  evhttp_set_gencb(endpoint->http_, onRequest, endpoint.get());
  return endpoint;
}

MetricsEndpoint::~MetricsEndpoint() {
  // Frees the bound listener and every scraper's connection with it.
  if (http_) evhttp_free(http_);
}

void MetricsEndpoint::onRequest(evhttp_request* request, void* arg) {
  auto* self = static_cast<MetricsEndpoint*>(arg);
  const evhttp_uri* uri = evhttp_request_get_evhttp_uri(request);
  const char* path = uri ? evhttp_uri_get_path(uri) : nullptr;
  if (path == nullptr || std::string_view(path) != kPath) {
    evhttp_send_error(request, HTTP_NOTFOUND, nullptr);
    return;
  }
  std::string text = self->render_();
  evhttp_add_header(evhttp_request_get_output_headers(request), "Content-Type", kContentType);
  evbuffer* body = evbuffer_new();
  evbuffer_add(body, text.data(), text.size());
  evhttp_send_reply(request, HTTP_OK, "OK", body);
  evbuffer_free(body);
}

}  // namespace ts
