// The web listener: libevent's HTTP server on the daemon's own loop, HTTPS when a
// certificate is configured. It turns each libevent request into an HttpRequest, hands
// it to one handler and sends whatever that handler answers, now or later.
#pragma once

#include <event2/event.h>

#include <memory>

#include "net/socket_address.h"
#include "net/tls_server_context.h"
#include "util/result.h"
#include "web/http_exchange.h"

struct evhttp;
struct evhttp_request;
struct bufferevent;

namespace ts {

class HttpServer {
 public:
  // tls null: plain HTTP. reuse_port: share the address with the fleet's other processes.
  static Result<std::unique_ptr<HttpServer>> open(event_base* base, const SocketAddress& address,
                                                  std::shared_ptr<const TlsServerContext> tls,
                                                  bool reuse_port, HttpHandler handler);
  ~HttpServer();  // answers still pending are dropped
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  const SocketAddress& address() const { return address_; }
  bool tls() const { return tls_ != nullptr; }
  // A renewed certificate: new connections use it, open ones keep theirs.
  void setTls(std::shared_ptr<const TlsServerContext> tls) { tls_ = std::move(tls); }

 private:
  HttpServer(SocketAddress address, std::shared_ptr<const TlsServerContext> tls,
             HttpHandler handler);
  void serve(evhttp_request* request);
  static void onRequest(evhttp_request* request, void* self);
  static bufferevent* newConnection(event_base* base, void* self);

  SocketAddress address_;
  std::shared_ptr<const TlsServerContext> tls_;
  HttpHandler handler_;
  evhttp* http_ = nullptr;
  // Replies hold it weakly: one that arrives after the server is gone does nothing.
  std::shared_ptr<HttpServer*> self_;
};

}  // namespace ts
