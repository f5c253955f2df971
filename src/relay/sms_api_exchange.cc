// evhttp gets an address literal, never a name, so its own resolving (getaddrinfo) never
// has to look anything up; the name is resolved by the daemon's Resolver first. evhttp
// reports a failed connect or handshake only as "no response", so the TLS callbacks
// record what happened: the verify callback why a certificate was refused, the info
// callback that the handshake finished (after which the request may have reached the API).
#include "relay/sms_api_exchange.h"

#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <event2/keyvalq_struct.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include <algorithm>

#include "relay/sms_api_response.h"
#include "util/timeval.h"

namespace ts {
namespace {

constexpr ev_ssize_t kMaxHeaderBytes = 16 * 1024;

std::string httpErrorText(evhttp_request_error error) {
  switch (error) {
    case EVREQ_HTTP_TIMEOUT:
      return "timeout";
    case EVREQ_HTTP_EOF:
      return "the connection closed";
    case EVREQ_HTTP_INVALID_HEADER:
      return "an invalid header";
    case EVREQ_HTTP_BUFFER_ERROR:
      return "a connection error";
    case EVREQ_HTTP_REQUEST_CANCEL:
      return "cancelled";
    case EVREQ_HTTP_DATA_TOO_LONG:
      return "a body over " + std::to_string(kSmsApiMaxBody) + " bytes";
  }
  return "an unknown error";
}

std::string opensslErrors(bufferevent* bev) {
  std::string errors;
  while (unsigned long e = bev ? bufferevent_get_openssl_error(bev) : 0) {
    if (!errors.empty()) errors.append("; ");
    // libevent files a socket failure (refused, reset) as an error of no OpenSSL library,
    // whose generic text ("lib(0)::reason(5)") would tell the operator nothing.
    if (ERR_GET_LIB(e) == 0) {
      errors.append("the connection was refused, reset or closed");
      continue;
    }
    char text[256];
    ERR_error_string_n(e, text, sizeof(text));
    errors.append(text);
  }
  return errors;
}

}  // namespace

SmsApiExchange::SmsApiExchange(event_base* base, Done done) : base_(base), done_(std::move(done)) {
  timer_ = evtimer_new(base_, timerCallback, this);
  timeval now{};
  evtimer_add(timer_, &now);
}

SmsApiExchange::SmsApiExchange(event_base* base, std::shared_ptr<const SmsApiEndpoint> endpoint,
                               dns::Resolver& resolver, std::string form_body, Done done)
    : SmsApiExchange(base, std::move(done)) {
  endpoint_ = std::move(endpoint);
  resolver_ = &resolver;
  form_body_ = std::move(form_body);
  deadline_ = std::chrono::steady_clock::now() + endpoint_->timeout();
}

SmsApiExchange::SmsApiExchange(event_base* base, SmsApiResult early, Done done)
    : SmsApiExchange(base, std::move(done)) {
  early_ = std::move(early);
}

SmsApiExchange::~SmsApiExchange() {
  abandon();
  if (timer_) event_free(timer_);
  if (ssl_) {
    SSL_set_info_callback(ssl_, nullptr);
    SSL_set_app_data(ssl_, nullptr);
  }
  if (connection_) evhttp_connection_free(connection_);
}

void SmsApiExchange::abandon() {
  done_ = nullptr;
  stage_ = Stage::kDone;
  if (timer_) evtimer_del(timer_);
  if (query_ != dns::kNoQuery) {
    dns::QueryId id = query_;
    query_ = dns::kNoQuery;
    resolver_->cancel(id);
  }
}

void SmsApiExchange::begin() {
  if (early_) {
    finish(std::move(*early_));
    return;
  }
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline_ - std::chrono::steady_clock::now());
  timeval tv = toTimeval(std::max(left, std::chrono::milliseconds(0)));
  evtimer_add(timer_, &tv);
  if (endpoint_->hostIsAddress()) {
    connect(endpoint_->host());
  } else {
    resolve(ns_t_a);
  }
}

void SmsApiExchange::resolve(ns_type type) {
  stage_ = Stage::kResolving;
  int answers_before = dns_answers_;
  dns::QueryId id =
      resolver_->query(endpoint_->host(), type, [this, type](const dns::DnsAnswer& answer) {
        ++dns_answers_;
        query_ = dns::kNoQuery;
        onResolved(type, answer);
      });
  // A cache hit answers inside query(), and that answer may already have ended the
  // exchange or started the AAAA query: then id is spent.
  if (dns_answers_ == answers_before) query_ = id;
}

void SmsApiExchange::onResolved(ns_type type, const dns::DnsAnswer& answer) {
  if (answer.status == dns::DnsStatus::kOk && !answer.records.empty()) {
    connect(answer.records.front());
    return;
  }
  std::string status =
      std::string(dns::typeName(type)) + ": " + std::string(dns::toString(answer.status));
  if (type == ns_t_a && answer.status != dns::DnsStatus::kNxDomain) {
    dns_trail_ = status;
    resolve(ns_t_aaaa);
    return;
  }
  std::string trail = dns_trail_.empty() ? status : dns_trail_ + ", " + status;
  finish(failure(SmsApiResult::Kind::kUnreachable,
                 "no address for " + endpoint_->host() + " (" + trail + ")"));
}

void SmsApiExchange::connect(const std::string& address) {
  stage_ = Stage::kConnecting;
  address_ = address;
  ERR_clear_error();
  SSL* ssl = endpoint_->newSsl();
  if (ssl == nullptr) {
    finish(failure(SmsApiResult::Kind::kUnreachable, "cannot set up TLS"));
    return;
  }
  SSL_set_app_data(ssl, this);
  SSL_set_verify(ssl, SSL_VERIFY_PEER, verifyCallback);
  SSL_set_info_callback(ssl, infoCallback);
  // On failure libevent may already have freed ssl: on this out-of-memory path a leak is
  // better than a double free.
  bufferevent* bev = bufferevent_openssl_socket_new(base_, -1, ssl, BUFFEREVENT_SSL_CONNECTING,
                                                    BEV_OPT_CLOSE_ON_FREE);
  if (bev == nullptr) {
    finish(failure(SmsApiResult::Kind::kUnreachable, "cannot set up TLS"));
    return;
  }
  ssl_ = ssl;
  // Many HTTPS servers close without a TLS close_notify once the answer is complete.
  bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
  connection_ = evhttp_connection_base_bufferevent_new(base_, nullptr, bev, address.c_str(),
                                                       endpoint_->port());
  if (connection_ == nullptr) {
    bufferevent_free(bev);
    ssl_ = nullptr;
    finish(failure(SmsApiResult::Kind::kUnreachable, "cannot set up the HTTP connection"));
    return;
  }
  // evhttp's own timeouts only back up the deadline timer, which fires first.
  timeval tv = toTimeval(endpoint_->timeout() + std::chrono::seconds(1));
  evhttp_connection_set_timeout_tv(connection_, &tv);
  evhttp_connection_set_retries(connection_, 0);
  evhttp_connection_set_max_headers_size(connection_, kMaxHeaderBytes);
  evhttp_connection_set_max_body_size(connection_, static_cast<ev_ssize_t>(kSmsApiMaxBody));

  evhttp_request* request = evhttp_request_new(doneCallback, this);
  if (request == nullptr) {
    finish(failure(SmsApiResult::Kind::kUnreachable, "cannot make the HTTP request"));
    return;
  }
  evhttp_request_set_header_cb(request, headersCallback);
  evhttp_request_set_error_cb(request, errorCallback);
  evkeyvalq* headers = evhttp_request_get_output_headers(request);
  evhttp_add_header(headers, "Host", endpoint_->hostHeader().c_str());
  evhttp_add_header(headers, "Authorization", endpoint_->authorization().c_str());
  evhttp_add_header(headers, "Content-Type", "application/x-www-form-urlencoded");
  evhttp_add_header(headers, "Accept", "application/json");
  evhttp_add_header(headers, "User-Agent", "textscreen");
  evhttp_add_header(headers, "Connection", "close");
  evbuffer_add(evhttp_request_get_output_buffer(request), form_body_.data(), form_body_.size());
  // A connect that fails at once runs doneCallback inside evhttp_make_request.
  if (evhttp_make_request(connection_, request, EVHTTP_REQ_POST, endpoint_->path().c_str()) != 0 &&
      stage_ != Stage::kDone) {
    // evhttp took the request off its queue without freeing it.
    evhttp_request_free(request);
    finish(failure(SmsApiResult::Kind::kUnreachable,
                   "evhttp could not start a connection to " + address));
  }
}

void SmsApiExchange::onAnswer(evhttp_request* request) {
  int status = request ? evhttp_request_get_response_code(request) : 0;
  if (status > 0) {
    evbuffer* input = evhttp_request_get_input_buffer(request);
    std::size_t length = std::min(evbuffer_get_length(input), kSmsApiMaxBody + 1);
    std::string body(length, '\0');
    evbuffer_copyout(input, body.data(), length);
    const char* retry_after =
        evhttp_find_header(evhttp_request_get_input_headers(request), "Retry-After");
    finish(parseSmsApiResponse(status, body, retry_after ? retry_after : "",
                               std::chrono::system_clock::now()));
    return;
  }
  if (http_error_ == EVREQ_HTTP_TIMEOUT) {
    finish(failure(SmsApiResult::Kind::kTimeout, "evhttp timed out"));
    return;
  }
  std::string why = http_error_ ? httpErrorText(*http_error_) : "no answer";
  if (status_ > 0) {
    // The headers came and then the body broke off (or was too large): the status still
    // tells what the API did; a 2xx without its body is unconfirmed.
    SmsApiResult result =
        parseSmsApiResponse(status_, "", retry_after_, std::chrono::system_clock::now());
    result.detail += "; the body was lost: " + why;
    finish(std::move(result));
    return;
  }
  if (!handshake_done_) {
    std::string detail = "cannot connect to " + address_ + " port " +
                         std::to_string(endpoint_->port()) + " with TLS";
    bufferevent* bev = connection_ ? evhttp_connection_get_bufferevent(connection_) : nullptr;
    if (!verify_error_.empty()) {
      detail += ": " + verify_error_;
    } else if (std::string errors = opensslErrors(bev); !errors.empty()) {
      detail += ": " + errors;
    }
    finish(failure(SmsApiResult::Kind::kUnreachable, detail));
    return;
  }
  finish(failure(SmsApiResult::Kind::kServerError,
                 "the API closed the connection without a complete answer (" + why + ")"));
}

void SmsApiExchange::onTimeout() {
  const char* stage = stage_ == Stage::kResolving ? "resolving the host"
                      : !handshake_done_          ? "connecting (TCP or TLS)"
                                                  : "waiting for the answer";
  auto seconds = std::chrono::duration_cast<std::chrono::milliseconds>(endpoint_->timeout());
  finish(failure(SmsApiResult::Kind::kTimeout, "no answer within sms_api_timeout (" +
                                                   std::to_string(seconds.count()) + " ms) while " +
                                                   stage));
}

SmsApiResult SmsApiExchange::failure(SmsApiResult::Kind kind, std::string detail) const {
  SmsApiResult result;
  result.kind = kind;
  result.request_sent = handshake_done_;
  result.detail = std::move(detail);
  return result;
}

void SmsApiExchange::finish(SmsApiResult result) {
  Done done = std::move(done_);
  abandon();
  if (done) done(std::move(result));
}

void SmsApiExchange::timerCallback(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<SmsApiExchange*>(arg);
  if (self->stage_ == Stage::kWaiting) {
    self->begin();
  } else if (self->stage_ != Stage::kDone) {
    self->onTimeout();
  }
}

int SmsApiExchange::headersCallback(evhttp_request* request, void* arg) {
  auto* self = static_cast<SmsApiExchange*>(arg);
  self->status_ = evhttp_request_get_response_code(request);
  const char* retry_after =
      evhttp_find_header(evhttp_request_get_input_headers(request), "Retry-After");
  self->retry_after_ = retry_after ? retry_after : "";
  return 0;
}

void SmsApiExchange::errorCallback(evhttp_request_error error, void* arg) {
  static_cast<SmsApiExchange*>(arg)->http_error_ = error;
}

void SmsApiExchange::doneCallback(evhttp_request* request, void* arg) {
  auto* self = static_cast<SmsApiExchange*>(arg);
  if (self->stage_ != Stage::kDone) self->onAnswer(request);
}

int SmsApiExchange::verifyCallback(int ok, X509_STORE_CTX* store) {
  if (ok) return ok;
  auto* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  auto* self = ssl ? static_cast<SmsApiExchange*>(SSL_get_app_data(ssl)) : nullptr;
  if (self && self->verify_error_.empty()) {
    self->verify_error_ = "the API's certificate failed verification for '" +
                          self->endpoint_->host() + "' (sms_api_url, sms_api_ca_file): " +
                          X509_verify_cert_error_string(X509_STORE_CTX_get_error(store));
  }
  return ok;
}

void SmsApiExchange::infoCallback(const SSL* ssl, int where, int) {
  if ((where & SSL_CB_HANDSHAKE_DONE) == 0) return;
  auto* self = static_cast<SmsApiExchange*>(SSL_get_app_data(ssl));
  if (self) self->handshake_done_ = true;
}

}  // namespace ts
