// One HTTPS POST to the SMS API on the loop: resolve the host (A, then AAAA) unless it is an
// address, connect, TLS with the API's certificate verified, send, read the answer. One
// deadline (evtimer) covers all of it, so a server that hangs at any stage ends in kTimeout.
#pragma once

#include <event2/event.h>
#include <event2/http.h>
#include <openssl/ssl.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "dns/resolver.h"
#include "relay/sms_api_endpoint.h"
#include "relay/sms_api_result.h"

namespace ts {

class SmsApiExchange {
 public:
  using Done = std::function<void(SmsApiResult)>;

  // Starts from the loop (a zero timer), never inside the constructor; the deadline counts
  // from construction. resolver must outlive the exchange or abandon().
  SmsApiExchange(event_base* base, std::shared_ptr<const SmsApiEndpoint> endpoint,
                 dns::Resolver& resolver, std::string form_body, Done done);
  // A result known without the network (paused, unusable settings), reported from the loop.
  SmsApiExchange(event_base* base, SmsApiResult early, Done done);
  // Frees the connection: never from inside this exchange's own libevent callbacks, which is
  // why owners free exchanges from a deferred event.
  ~SmsApiExchange();
  SmsApiExchange(const SmsApiExchange&) = delete;
  SmsApiExchange& operator=(const SmsApiExchange&) = delete;

  // done is never called after this; the DNS query is cancelled and the deadline stopped.
  void abandon();

 private:
  enum class Stage { kWaiting, kResolving, kConnecting, kDone };

  SmsApiExchange(event_base* base, Done done);
  void begin();
  void resolve(ns_type type);
  void onResolved(ns_type type, const dns::DnsAnswer& answer);
  void connect(const std::string& address);
  void onAnswer(evhttp_request* request);
  void onTimeout();
  SmsApiResult failure(SmsApiResult::Kind kind, std::string detail) const;
  void finish(SmsApiResult result);

  static void timerCallback(evutil_socket_t, short, void* self);
  static int headersCallback(evhttp_request* request, void* self);
  static void errorCallback(evhttp_request_error error, void* self);
  static void doneCallback(evhttp_request* request, void* self);
  static int verifyCallback(int ok, X509_STORE_CTX* store);
  static void infoCallback(const SSL* ssl, int where, int value);

  event_base* base_;
  std::shared_ptr<const SmsApiEndpoint> endpoint_;
  dns::Resolver* resolver_ = nullptr;
  std::string form_body_;
  Done done_;
  std::optional<SmsApiResult> early_;
  std::chrono::steady_clock::time_point deadline_;
  event* timer_ = nullptr;
  Stage stage_ = Stage::kWaiting;
  dns::QueryId query_ = dns::kNoQuery;
  int dns_answers_ = 0;
  std::string dns_trail_;  // "A: nodata" when falling back to AAAA
  std::string address_;    // what evhttp connects to
  evhttp_connection* connection_ = nullptr;
  SSL* ssl_ = nullptr;  // owned by the connection's bufferevent
  bool handshake_done_ = false;
  std::string verify_error_;
  int status_ = 0;  // from the headers, when they came
  std::string retry_after_;
  std::optional<evhttp_request_error> http_error_;
};

}  // namespace ts
