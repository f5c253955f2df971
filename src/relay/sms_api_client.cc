// The pause is the client's, not a request's: after the API said "Retry-After", every
// message in that window would be refused too, so none is sent and each hears 451 4.4.5
// with the time left. Destruction inside a handler is allowed: the exchange whose callback
// is on the stack is handed to a one-shot event to be freed after it returned.
#include "relay/sms_api_client.h"

#include <algorithm>

namespace ts {
namespace {

void deleteExchange(evutil_socket_t, short, void* exchange) {
  delete static_cast<SmsApiExchange*>(exchange);
}

}  // namespace

SmsApiClient::SmsApiClient(event_base* base, SmsApiSettings settings) : base_(base) {
  reaper_ = evtimer_new(base_, reapCallback, this);
  reconfigure(std::move(settings));
}

SmsApiClient::~SmsApiClient() {
  *alive_ = false;
  for (auto& [id, flight] : in_flight_) {
    flight.exchange->abandon();
    retired_.push_back(std::move(flight.exchange));
  }
  for (auto& exchange : retired_) {
    if (exchange.get() == calling_) {
      timeval now{};
      event_base_once(base_, -1, EV_TIMEOUT, deleteExchange, exchange.release(), &now);
    }
  }
  retired_.clear();
  if (reaper_) event_free(reaper_);
}

SmsApiClient::RequestId SmsApiClient::send(dns::Resolver& resolver, std::string to,
                                           std::string body, Handler done) {
  RequestId id = next_id_++;
  auto report = [this, id](SmsApiResult result) { finished(id, std::move(result)); };
  std::unique_ptr<SmsApiExchange> exchange;
  if (std::chrono::seconds left = pausedFor(); left.count() > 0) {
    SmsApiResult paused;
    paused.kind = SmsApiResult::Kind::kPaused;
    paused.retry_after = left;
    paused.detail = "paused by an earlier Retry-After";
    exchange = std::make_unique<SmsApiExchange>(base_, std::move(paused), report);
  } else if (!endpoint_) {
    SmsApiResult unusable;
    unusable.kind = SmsApiResult::Kind::kUnreachable;
    unusable.detail = settings_error_;
    exchange = std::make_unique<SmsApiExchange>(base_, std::move(unusable), report);
  } else {
    exchange = std::make_unique<SmsApiExchange>(base_, endpoint_, resolver,
                                                endpoint_->formBody(to, body), report);
  }
  in_flight_.emplace(
      id, InFlight{std::move(exchange), std::move(done), std::chrono::steady_clock::now()});
  return id;
}

void SmsApiClient::cancel(RequestId id) {
  auto it = in_flight_.find(id);
  if (it == in_flight_.end()) return;
  it->second.exchange->abandon();
  retire(std::move(it->second.exchange));
  in_flight_.erase(it);
}

std::chrono::seconds SmsApiClient::pausedFor() const {
  auto left = paused_until_ - std::chrono::steady_clock::now();
  if (left <= left.zero()) return std::chrono::seconds(0);
  return std::chrono::ceil<std::chrono::seconds>(left);
}

void SmsApiClient::reconfigure(SmsApiSettings settings) {
  auto endpoint = SmsApiEndpoint::create(settings);
  if (endpoint) {
    endpoint_ = *endpoint;
    settings_error_.clear();
  } else {
    endpoint_ = nullptr;
    settings_error_ = endpoint.error().message;
  }
}

void SmsApiClient::finished(RequestId id, SmsApiResult result) {
  auto it = in_flight_.find(id);
  if (it == in_flight_.end()) return;
  auto now = std::chrono::steady_clock::now();
  ++stats_.results[static_cast<std::size_t>(result.kind)];
  if (result.kind != SmsApiResult::Kind::kPaused) stats_.duration.observe(now - it->second.started);
  if (result.kind == SmsApiResult::Kind::kRateLimited && result.retry_after &&
      result.retry_after->count() > 0) {
    paused_until_ = std::max(paused_until_, now + *result.retry_after);
  }
  Handler handler = std::move(it->second.handler);
  SmsApiExchange* exchange = it->second.exchange.get();
  retire(std::move(it->second.exchange));
  in_flight_.erase(it);
  std::shared_ptr<bool> alive = alive_;
  calling_ = exchange;
  handler(result);
  if (*alive) calling_ = nullptr;
}

void SmsApiClient::retire(std::unique_ptr<SmsApiExchange> exchange) {
  retired_.push_back(std::move(exchange));
  timeval now{};
  evtimer_add(reaper_, &now);
}

void SmsApiClient::reapCallback(evutil_socket_t, short, void* arg) {
  static_cast<SmsApiClient*>(arg)->retired_.clear();
}

}  // namespace ts
