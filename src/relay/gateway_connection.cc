// Every handler is called exactly once (with a reply or a failure) unless the owner
// abandons the connection; a shared_ptr to this object is held while handlers run,
// because a handler may release or abandon the connection it was called from.
// STARTTLS wraps the socket bufferevent in libevent's OpenSSL filter; from then on bev_
// is the filter, and writes must go through it: writeNow() would send plaintext on the
// socket underneath (bufferevent_getfd of a filter is the socket's fd).
#include "relay/gateway_connection.h"

#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include <cstdlib>

#include "net/direct_write.h"
#include "net/openssl_errors.h"
#include "net/socket_options.h"
#include "obs/log.h"
#include "util/ascii.h"
#include "util/timeval.h"

namespace ts {
namespace {

constexpr std::size_t kMaxReplyLine = 4096;
constexpr std::size_t kMaxReplyLines = 100;

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

// Splits "5.1.1 text" into the enhanced code and the text (RFC 2034), when the class
// matches the reply code.
void takeEnhancedCode(GatewayReply& reply) {
  if (reply.lines.empty()) return;
  std::string& first = reply.lines.front();
  std::size_t i = 0;
  if (first.size() < 5 || first[0] != static_cast<char>('0' + reply.code / 100) ||
      first[1] != '.') {
    return;
  }
  i = 2;
  for (int part = 0; part < 2; ++part) {
    std::size_t start = i;
    while (i < first.size() && isDigit(first[i]) && i - start < 3) ++i;
    if (i == start) return;
    if (part == 0) {
      if (i >= first.size() || first[i] != '.') return;
      ++i;
    }
  }
  if (i < first.size() && first[i] != ' ') return;
  reply.enhanced = first.substr(0, i);
  first.erase(0, i < first.size() ? i + 1 : i);
}

void countFailure(GatewayStats& stats, GatewayReply::Failure failure) {
  switch (failure) {
    case GatewayReply::Failure::kUnreachable:
      ++stats.unreachable;
      break;
    case GatewayReply::Failure::kTimeout:
      ++stats.timeouts;
      break;
    case GatewayReply::Failure::kLost:
      ++stats.lost;
      break;
    case GatewayReply::Failure::kNone:
      break;
  }
}

}  // namespace

std::string GatewayReply::text() const {
  std::string out;
  for (const std::string& l : lines) {
    if (!out.empty()) out.append("; ");
    out.append(l);
  }
  return out;
}

std::shared_ptr<GatewayConnection> GatewayConnection::open(event_base* base,
                                                           const GatewaySettings& settings) {
  std::shared_ptr<GatewayConnection> conn(new GatewayConnection(base, settings));
  conn->start();
  return conn;
}

GatewayConnection::GatewayConnection(event_base* base, const GatewaySettings& settings)
    : base_(base), settings_(settings) {
  timer_ = evtimer_new(base_, timerCallback, this);
  if (settings_.stats) ++settings_.stats->opened;
}

GatewayConnection::~GatewayConnection() {
  close();
  if (timer_) event_free(timer_);
  if (settings_.stats) ++settings_.stats->closed;
}

void GatewayConnection::start() {
  bev_ = bufferevent_socket_new(base_, -1, BEV_OPT_CLOSE_ON_FREE);
  awaiting_.push_back([this](const GatewayReply& r) { onGreeting(r); });
  if (!bev_) {
    timeval now{};
    evtimer_add(timer_, &now);  // report the failure from the loop, never from open()
    return;
  }
  bufferevent_setcb(bev_, readCallback, nullptr, eventCallback, this);
  bufferevent_enable(bev_, EV_READ);
  if (bufferevent_socket_connect(bev_, settings_.address.sockaddrPtr(),
                                 static_cast<int>(settings_.address.length())) != 0) {
    close();
    timeval now{};
    evtimer_add(timer_, &now);
    return;
  }
  timeval tv = toTimeval(settings_.connect_timeout);
  evtimer_add(timer_, &tv);
}

void GatewayConnection::command(std::string_view line, GatewayReplyHandler handler) {
  std::string wire;
  wire.reserve(line.size() + 2);
  wire.append(line).append("\r\n");
  send(Outgoing{std::move(wire), std::move(handler), nullptr});
}

void GatewayConnection::mailFrom(std::string reverse_path, bool eight_bit, bool smtputf8,
                                 GatewayReplyHandler handler) {
  auto build = [this, path = std::move(reverse_path), eight_bit, smtputf8] {
    std::string wire = "MAIL FROM:<" + path + ">";
    if (eight_bit && eightbitmime_) wire.append(" BODY=8BITMIME");
    if (smtputf8 && smtputf8_) wire.append(" SMTPUTF8");
    wire.append("\r\n");
    return wire;
  };
  send(Outgoing{{}, std::move(handler), std::move(build)});
}

void GatewayConnection::message(std::string_view header, std::string_view body,
                                GatewayReplyHandler handler) {
  std::string wire;
  wire.reserve(header.size() + body.size() + body.size() / 64 + 8);
  wire.append(header);
  std::size_t pos = 0;
  while (pos < body.size()) {
    std::size_t eol = body.find("\r\n", pos);
    std::size_t end = eol == std::string_view::npos ? body.size() : eol + 2;
    if (body[pos] == '.') wire.push_back('.');  // RFC 5321 section 4.5.2
    wire.append(body.substr(pos, end - pos));
    pos = end;
  }
  if (!body.empty() && (body.size() < 2 || body.substr(body.size() - 2) != "\r\n")) {
    wire.append("\r\n");
  }
  wire.append(".\r\n");
  send(Outgoing{std::move(wire), std::move(handler), nullptr});
}

void GatewayConnection::stuffedMessage(std::string payload, GatewayReplyHandler handler) {
  send(Outgoing{std::move(payload), std::move(handler), nullptr});
}

void GatewayConnection::send(Outgoing outgoing) {
  if (state_ == State::kBroken) {
    GatewayReply lost;
    lost.failure = GatewayReply::Failure::kLost;
    outgoing.handler(lost);
    return;
  }
  waiting_.push_back(std::move(outgoing));
  pump();
}

void GatewayConnection::pump() {
  if (state_ != State::kReady) return;
  batch_.clear();
  while (!waiting_.empty() && (pipelining_ || awaiting_.empty())) {
    Outgoing& next = waiting_.front();
    if (next.build) next.wire = next.build();
    batch_.append(next.wire);
    awaiting_.push_back(std::move(next.handler));
    waiting_.pop_front();
  }
  if (tls_) {
    bufferevent_write(bev_, batch_.data(), batch_.size());
  } else {
    writeNow(bev_, batch_);
  }
  armTimer();
}

void GatewayConnection::armTimer() {
  if (!awaiting_.empty()) {
    bool connecting = state_ == State::kConnecting || state_ == State::kGreeting;
    timeval tv = toTimeval(connecting ? settings_.connect_timeout : settings_.reply_timeout);
    evtimer_add(timer_, &tv);
  } else if (!on_gone_) {
    evtimer_del(timer_);
  }
}

void GatewayConnection::park(Duration idle_timeout,
                             std::function<void(GatewayConnection*)> on_gone) {
  on_gone_ = std::move(on_gone);
  timeval tv = toTimeval(idle_timeout);
  evtimer_add(timer_, &tv);
}

void GatewayConnection::unpark() {
  on_gone_ = nullptr;
  evtimer_del(timer_);
}

void GatewayConnection::abandon() {
  waiting_.clear();
  awaiting_.clear();
  on_gone_ = nullptr;
  state_ = State::kBroken;
  evtimer_del(timer_);
  close();
}

void GatewayConnection::close() {
  if (bev_) {
    bufferevent_free(bev_);
    bev_ = nullptr;
  }
}

bool GatewayConnection::readReply(GatewayReply& reply, bool& complete) {
  complete = false;
  evbuffer* in = bufferevent_get_input(bev_);
  while (true) {
    std::size_t len = 0;
    char* raw = evbuffer_readln(in, &len, EVBUFFER_EOL_CRLF);
    if (!raw) return evbuffer_get_length(in) <= kMaxReplyLine;
    std::string line(raw, len);
    std::free(raw);
    if (len < 3 || len > kMaxReplyLine || !isDigit(line[0]) || !isDigit(line[1]) ||
        !isDigit(line[2]) || (len > 3 && line[3] != ' ' && line[3] != '-')) {
      return false;
    }
    int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    if (!partial_.lines.empty() && code != partial_.code) return false;
    partial_.code = code;
    partial_.lines.push_back(len > 4 ? line.substr(4) : std::string());
    if (partial_.lines.size() > kMaxReplyLines) return false;
    if (len > 3 && line[3] == '-') continue;
    reply = std::move(partial_);
    partial_ = GatewayReply{};
    takeEnhancedCode(reply);
    complete = true;
    return true;
  }
}

void GatewayConnection::onReadable() {
  auto self = shared_from_this();
  while (state_ != State::kBroken && bev_) {
    GatewayReply reply;
    bool complete = false;
    if (!readReply(reply, complete)) {
      failAll(GatewayReply::Failure::kLost);
      return;
    }
    if (!complete) return;
    if (awaiting_.empty()) {
      // Unsolicited, e.g. "421 idle timeout" before the gateway closes a parked connection.
      failAll(GatewayReply::Failure::kLost);
      return;
    }
    deliver(reply);
  }
}

void GatewayConnection::deliver(const GatewayReply& reply) {
  GatewayReplyHandler handler = std::move(awaiting_.front());
  awaiting_.pop_front();
  armTimer();
  handler(reply);
  pump();
}

void GatewayConnection::failAll(GatewayReply::Failure failure) {
  auto self = shared_from_this();
  state_ = State::kBroken;
  evtimer_del(timer_);
  close();
  std::deque<GatewayReplyHandler> handlers = std::move(awaiting_);
  awaiting_.clear();
  for (Outgoing& o : waiting_) handlers.push_back(std::move(o.handler));
  waiting_.clear();
  // A parked connection the gateway closed cost nobody anything: not a failure.
  if (settings_.stats && !handlers.empty()) countFailure(*settings_.stats, failure);
  GatewayReply reply;
  reply.failure = failure;
  for (auto& h : handlers) h(reply);
  if (on_gone_) {
    auto gone = std::move(on_gone_);
    on_gone_ = nullptr;
    gone(this);
  }
}

void GatewayConnection::onGreeting(const GatewayReply& reply) {
  if (reply.failure != GatewayReply::Failure::kNone) return;
  if (reply.code != 220) {
    failAll(GatewayReply::Failure::kUnreachable);
    return;
  }
  hello("EHLO " + settings_.helo_name, &GatewayConnection::onEhlo);
}

void GatewayConnection::hello(std::string_view line,
                              void (GatewayConnection::*on_reply)(const GatewayReply&)) {
  state_ = State::kHello;
  std::string wire;
  wire.reserve(line.size() + 2);
  wire.append(line).append("\r\n");
  bufferevent_write(bev_, wire.data(), wire.size());
  awaiting_.push_back([this, on_reply](const GatewayReply& r) { (this->*on_reply)(r); });
  armTimer();
}

void GatewayConnection::onEhlo(const GatewayReply& reply) {
  if (reply.failure != GatewayReply::Failure::kNone) return;
  if (reply.code == 250) {
    // RFC 3207 section 4.2: what the gateway offered before TLS no longer counts.
    pipelining_ = smtputf8_ = eightbitmime_ = false;
    bool starttls = false;
    for (std::size_t i = 1; i < reply.lines.size(); ++i) {
      std::string_view keyword = reply.lines[i];
      keyword = keyword.substr(0, keyword.find(' '));
      if (asciiEqualsIgnoreCase(keyword, "PIPELINING")) pipelining_ = true;
      if (asciiEqualsIgnoreCase(keyword, "SMTPUTF8")) smtputf8_ = true;
      if (asciiEqualsIgnoreCase(keyword, "8BITMIME")) eightbitmime_ = true;
      if (asciiEqualsIgnoreCase(keyword, "STARTTLS")) starttls = true;
    }
    if (settings_.tls && !tls_ && !plaintext_retry_) {
      if (starttls) {
        hello("STARTTLS", &GatewayConnection::onStartTls);
        return;
      }
      if (settings_.tls->required()) {
        refuseWithoutTls("the gateway did not offer STARTTLS");
        return;
      }
    }
    state_ = State::kReady;
    return;
  }
  if (reply.code >= 500) {
    hello("HELO " + settings_.helo_name, &GatewayConnection::onHelo);
    return;
  }
  failAll(GatewayReply::Failure::kUnreachable);
}

void GatewayConnection::onHelo(const GatewayReply& reply) {
  if (reply.failure != GatewayReply::Failure::kNone) return;
  if (reply.code != 250) {
    failAll(GatewayReply::Failure::kUnreachable);
    return;
  }
  if (settings_.tls && settings_.tls->required() && !tls_) {
    refuseWithoutTls("the gateway refused EHLO, so it offers no STARTTLS");
    return;
  }
  state_ = State::kReady;
}

void GatewayConnection::onStartTls(const GatewayReply& reply) {
  if (reply.failure != GatewayReply::Failure::kNone) return;
  if (reply.code != 220) {
    std::string why = "the gateway refused STARTTLS: " + std::to_string(reply.code) + " " +
                      (reply.enhanced.empty() ? "" : reply.enhanced + " ") + reply.text();
    if (settings_.tls->required()) {
      refuseWithoutTls(why);
      return;
    }
    // RFC 3207 section 4: after a refused STARTTLS the session goes on as before it.
    logTls("plaintext", why);
    state_ = State::kReady;
    return;
  }
  // Anything after the 220 came before TLS and must not be read as if it came after.
  if (evbuffer_get_length(bufferevent_get_input(bev_)) > 0) {
    tlsFailed("the gateway sent more after its 220 to STARTTLS",
              GatewayReply::Failure::kUnreachable);
    return;
  }
  ERR_clear_error();
  SSL* ssl = settings_.tls->newSsl();
  // On failure libevent may already have freed ssl: on this out-of-memory path a leak is
  // better than a double free.
  bufferevent* filter =
      ssl ? bufferevent_openssl_filter_new(base_, bev_, ssl, BUFFEREVENT_SSL_CONNECTING,
                                           BEV_OPT_CLOSE_ON_FREE)
          : nullptr;
  if (!filter) {
    tlsFailed("cannot set up TLS: " + takeOpensslErrors(), GatewayReply::Failure::kUnreachable);
    return;
  }
  bev_ = filter;
  state_ = State::kHandshake;
  bufferevent_setcb(bev_, readCallback, nullptr, eventCallback, this);
  bufferevent_enable(bev_, EV_READ | EV_WRITE);
  timeval tv = toTimeval(settings_.connect_timeout);
  evtimer_add(timer_, &tv);
}

void GatewayConnection::onHandshakeDone() {
  SSL* ssl = bufferevent_openssl_get_ssl(bev_);
  if (std::string refused = settings_.tls->certificateRefusal(ssl); !refused.empty()) {
    tlsFailed(refused, GatewayReply::Failure::kUnreachable);
    return;
  }
  tls_ = true;
  LogLine("-")
      .kv("event", "gateway_tls")
      .kv("gateway", settings_.address.toString())
      .kv("level", gatewayTlsLevelName(settings_.tls->level()))
      .kv("result", "established")
      .kv("version", SSL_get_version(ssl))
      .kv("cipher", SSL_get_cipher_name(ssl))
      .kv("verified", GatewayTlsContext::verifiedText(ssl));
  hello("EHLO " + settings_.helo_name, &GatewayConnection::onEhlo);
}

std::string GatewayConnection::handshakeError() {
  SSL* ssl = bufferevent_openssl_get_ssl(bev_);
  if (std::string refused = ssl ? settings_.tls->certificateRefusal(ssl) : std::string();
      !refused.empty()) {
    return refused;
  }
  std::string errors;
  while (unsigned long e = bufferevent_get_openssl_error(bev_)) {
    char text[256];
    ERR_error_string_n(e, text, sizeof(text));
    if (!errors.empty()) errors.append("; ");
    errors.append(text);
  }
  return "the TLS handshake failed: " +
         (errors.empty() ? std::string("the gateway closed the connection") : errors);
}

void GatewayConnection::refuseWithoutTls(std::string_view reason) {
  logTls("failed", std::string(reason) + " and gateway_tls=" +
                       std::string(gatewayTlsLevelName(settings_.tls->level())));
  failAll(GatewayReply::Failure::kUnreachable);
}

void GatewayConnection::tlsFailed(std::string reason, GatewayReply::Failure failure) {
  if (!settings_.tls->required()) {
    // The TLS state is unknown after a failed handshake: plaintext needs a new connection.
    logTls("retrying in plaintext", reason);
    reconnectInPlaintext();
    return;
  }
  logTls("failed", reason);
  failAll(failure);
}

void GatewayConnection::reconnectInPlaintext() {
  close();
  evtimer_del(timer_);
  plaintext_retry_ = true;
  partial_ = GatewayReply{};
  state_ = State::kConnecting;
  start();
}

void GatewayConnection::logTls(std::string_view result, std::string_view reason) {
  LogLine("-")
      .kv("event", "gateway_tls")
      .kv("gateway", settings_.address.toString())
      .kv("level", gatewayTlsLevelName(settings_.tls->level()))
      .kv("result", result)
      .kv("reason", reason);
}

void GatewayConnection::readCallback(bufferevent*, void* self) {
  static_cast<GatewayConnection*>(self)->onReadable();
}

void GatewayConnection::eventCallback(bufferevent*, short what, void* arg) {
  auto* self = static_cast<GatewayConnection*>(arg);
  if (self->state_ == State::kHandshake) {
    if (what & BEV_EVENT_CONNECTED) {
      self->onHandshakeDone();
    } else if (what & (BEV_EVENT_ERROR | BEV_EVENT_EOF)) {
      self->tlsFailed(self->handshakeError(), GatewayReply::Failure::kUnreachable);
    }
    return;
  }
  if (what & BEV_EVENT_CONNECTED) {
    self->state_ = State::kGreeting;
    setNoDelay(bufferevent_getfd(self->bev_));
    return;
  }
  if (what & (BEV_EVENT_ERROR | BEV_EVENT_EOF)) {
    self->failAll(self->state_ == State::kConnecting ? GatewayReply::Failure::kUnreachable
                                                     : GatewayReply::Failure::kLost);
  }
}

void GatewayConnection::timerCallback(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<GatewayConnection*>(arg);
  if (self->state_ == State::kConnecting && !self->bev_) {
    self->failAll(GatewayReply::Failure::kUnreachable);
    return;
  }
  if (self->state_ == State::kHandshake) {
    self->tlsFailed("the TLS handshake timed out (gateway_connect_timeout)",
                    GatewayReply::Failure::kTimeout);
    return;
  }
  // With nothing awaited, only a parked connection's idle timeout can fire.
  if (self->awaiting_.empty()) {
    self->failAll(GatewayReply::Failure::kLost);
    return;
  }
  self->failAll(GatewayReply::Failure::kTimeout);
}

}  // namespace ts
