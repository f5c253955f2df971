// The socket is bound here from the configured address literal (no name is resolved) and
// handed to evhttp. A request whose handler has not answered when its client goes away
// is detached by libevent and freed by the late answer, so deferred answers are safe;
// only the server's own end (evhttp_free) needs the weak self_ guard.
#include "web/http_server.h"

#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace ts {
namespace {

constexpr int kTimeoutSeconds = 30;
constexpr ev_ssize_t kMaxHeaderBytes = 16 * 1024;
// The largest form is an allowlist entry with a note: far below this.
constexpr ev_ssize_t kMaxBodyBytes = 64 * 1024;
constexpr int kBacklog = 128;

// Every page is self-contained (STYLE: no outside resources), so the policy can say so,
// and a hostile string that slipped through escaping still cannot run a script.
// Referrer-Policy same-origin, not no-referrer: with no-referrer a browser sends "Origin:
// null" even on our own forms, and the CSRF check relies on Origin.
constexpr const char* kSecurityPolicy =
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

HttpMethod methodOf(evhttp_request* request) {
  switch (evhttp_request_get_command(request)) {
    case EVHTTP_REQ_GET:
      return HttpMethod::kGet;
    case EVHTTP_REQ_HEAD:
      return HttpMethod::kHead;
    case EVHTTP_REQ_POST:
      return HttpMethod::kPost;
    default:
      return HttpMethod::kOther;
  }
}

std::string header(evhttp_request* request, const char* name) {
  const char* value = evhttp_find_header(evhttp_request_get_input_headers(request), name);
  return value ? value : "";
}

std::string decodedPath(const evhttp_uri* uri) {
  const char* path = uri ? evhttp_uri_get_path(uri) : nullptr;
  if (path == nullptr || *path == '\0') return "/";
  char* decoded = evhttp_uridecode(path, 0, nullptr);
  if (decoded == nullptr) return "/";
  std::string out(decoded);
  std::free(decoded);
  return out;
}

bool isFormPost(evhttp_request* request) {
  std::string type = header(request, "Content-Type");
  return type.rfind("application/x-www-form-urlencoded", 0) == 0;
}

void sendResponse(evhttp_request* request, const HttpResponse& response, bool tls) {
  evkeyvalq* headers = evhttp_request_get_output_headers(request);
  evhttp_add_header(headers, "Content-Type", response.content_type.c_str());
  evhttp_add_header(headers, "Content-Security-Policy", kSecurityPolicy);
  evhttp_add_header(headers, "X-Content-Type-Options", "nosniff");
  evhttp_add_header(headers, "X-Frame-Options", "DENY");
  evhttp_add_header(headers, "Referrer-Policy", "same-origin");
  if (tls) evhttp_add_header(headers, "Strict-Transport-Security", "max-age=31536000");
  for (const auto& [name, value] : response.headers) {
    evhttp_add_header(headers, name.c_str(), value.c_str());
  }
  evbuffer* body = evbuffer_new();
  evbuffer_add(body, response.body.data(), response.body.size());
  evhttp_send_reply(request, response.status, nullptr, body);
  evbuffer_free(body);
}

}  // namespace

HttpServer::HttpServer(SocketAddress address, std::shared_ptr<const TlsServerContext> tls,
                       HttpHandler handler)
    : address_(std::move(address)),
      tls_(std::move(tls)),
      handler_(std::move(handler)),
      self_(std::make_shared<HttpServer*>(this)) {}

Result<std::unique_ptr<HttpServer>> HttpServer::open(event_base* base, const SocketAddress& address,
                                                     std::shared_ptr<const TlsServerContext> tls,
                                                     bool reuse_port, HttpHandler handler) {
  std::unique_ptr<HttpServer> server(new HttpServer(address, std::move(tls), std::move(handler)));
  unsigned flags = LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC;
  if (reuse_port) flags |= LEV_OPT_REUSEABLE_PORT;
  evconnlistener* listener =
      evconnlistener_new_bind(base, nullptr, nullptr, flags, kBacklog, address.sockaddrPtr(),
                              static_cast<int>(address.length()));
  if (!listener) {
    return fail("web_listen: cannot listen on " + address.toString() + ": " + std::strerror(errno));
  }
  server->http_ = evhttp_new(base);
  if (!server->http_ || !evhttp_bind_listener(server->http_, listener)) {
    evconnlistener_free(listener);
    return fail("web_listen: cannot start the HTTP server on " + address.toString());
  }
  evhttp_set_allowed_methods(server->http_, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST);
  evhttp_set_timeout(server->http_, kTimeoutSeconds);
  evhttp_set_max_headers_size(server->http_, kMaxHeaderBytes);
  evhttp_set_max_body_size(server->http_, kMaxBodyBytes);
  evhttp_set_bevcb(server->http_, newConnection, server.get());
  evhttp_set_gencb(server->http_, onRequest, server.get());
  return server;
}

HttpServer::~HttpServer() {
  *self_ = nullptr;
  if (http_) evhttp_free(http_);
}

bufferevent* HttpServer::newConnection(event_base* base, void* arg) {
  auto* self = static_cast<HttpServer*>(arg);
  if (!self->tls_) return bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
  SSL* ssl = self->tls_->newConnection();
  // Out of memory: evhttp then makes a plain bufferevent itself, and serve() refuses every
  // request that comes over it, so nothing is ever answered in plaintext on an HTTPS port.
  if (ssl == nullptr) return nullptr;
  return bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
                                        BEV_OPT_CLOSE_ON_FREE);
}

void HttpServer::onRequest(evhttp_request* request, void* arg) {
  static_cast<HttpServer*>(arg)->serve(request);
}

void HttpServer::serve(evhttp_request* request) {
  HttpRequest in;
  in.method = methodOf(request);
  in.tls = tls_ != nullptr;
  const evhttp_uri* uri = evhttp_request_get_evhttp_uri(request);
  in.path = decodedPath(uri);
  const char* query = uri ? evhttp_uri_get_query(uri) : nullptr;
  bool well_formed = query == nullptr || parseFormFields(query, in.query);
  if (in.method == HttpMethod::kPost && isFormPost(request)) {
    evbuffer* body = evhttp_request_get_input_buffer(request);
    std::string text(evbuffer_get_length(body), '\0');
    evbuffer_copyout(body, text.data(), text.size());
    well_formed = well_formed && parseFormFields(text, in.form);
  }
  evhttp_connection* connection = evhttp_request_get_connection(request);
  if (in.tls &&
      (connection == nullptr ||
       bufferevent_openssl_get_ssl(evhttp_connection_get_bufferevent(connection)) == nullptr)) {
    evhttp_send_error(request, HTTP_SERVUNAVAIL, nullptr);
    return;
  }
  if (connection != nullptr) {
    if (const sockaddr* peer = evhttp_connection_get_addr(connection)) {
      socklen_t length = peer->sa_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
      in.peer = SocketAddress::fromSockaddr(peer, length);
    }
  }
  in.authorization = header(request, "Authorization");
  in.origin = header(request, "Origin");
  in.host = header(request, "Host");
  bool tls = in.tls;
  std::weak_ptr<HttpServer*> server = self_;
  HttpReply reply = [request, tls, server](HttpResponse response) {
    std::shared_ptr<HttpServer*> alive = server.lock();
    if (!alive || *alive == nullptr) return;
    sendResponse(request, response, tls);
  };
  if (!well_formed) {
    reply(HttpResponse{
        400, "text/plain; charset=utf-8", "The query or form is not valid URL encoding.\n", {}});
    return;
  }
  handler_(in, std::move(reply));
}

}  // namespace ts
