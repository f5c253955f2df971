// Replies are read line by line from the bufferevent's input; with pipelining, the replies
// to MAIL, RCPT and DATA arrive in order and drive the same states as one by one.
#include "client_session.h"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <fmt/core.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cmath>

#include "load_driver.h"

namespace ts::load {
namespace {

// RFC 5321 section 4.5.3.1.5 bounds a reply line at 512 octets with its CRLF.
constexpr std::size_t kMaxReplyLine = 512;
// More lines than any real EHLO reply; a server sending more is broken.
constexpr unsigned kMaxReplyLines = 100;
// Every read pass ends within this many lines even if the server floods us.
constexpr unsigned kMaxLinesPerRead = 1000;
// A slot gives up after this many connection attempts in a row fail.
constexpr unsigned kMaxConnectAttempts = 3;
constexpr double kReconnectBackoffS = 0.05;

timeval toTimeval(double seconds) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(seconds);
  tv.tv_usec = static_cast<suseconds_t>((seconds - std::floor(seconds)) * 1e6);
  return tv;
}

bool startsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != prefix[i]) return false;
  }
  return true;
}

}  // namespace

ClientSession::ClientSession(LoadDriver& driver) : driver_(driver) {
  reconnect_event_ = evtimer_new(driver_.base(), onReconnect, this);
}

ClientSession::~ClientSession() {
  stop();
  if (reconnect_event_ != nullptr) event_free(reconnect_event_);
}

void ClientSession::stop() {
  if (reconnect_event_ != nullptr) evtimer_del(reconnect_event_);
  if (bev_ != nullptr) bufferevent_free(bev_);
  bev_ = nullptr;
  state_ = State::kClosed;
}

void ClientSession::connect() {
  const LoadOptions& o = driver_.options();
  state_ = State::kConnecting;
  messages_on_connection_ = 0;
  pipelining_ = false;
  offers_pipelining_ = false;
  in_message_ = false;
  reply_lines_ = 0;

  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    afterClose(CloseKind::kConnectFailed);
    return;
  }
  int one = 1;
  // Replies and commands are small and latency is what we measure: no Nagle delay.
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (auto source = driver_.nextSource()) {
    // Let connect() pick the port for the whole 4-tuple, so thousands of short connections
    // do not run out of ephemeral ports per source address.
    setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_addr = *source;
    if (bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
      close(fd);
      afterClose(CloseKind::kConnectFailed);
      return;
    }
  }
  bev_ = bufferevent_socket_new(driver_.base(), fd, BEV_OPT_CLOSE_ON_FREE);
  if (bev_ == nullptr) {
    close(fd);
    afterClose(CloseKind::kConnectFailed);
    return;
  }
  bufferevent_setcb(bev_, onRead, nullptr, onEvent, this);
  expectReply(true);  // also bounds the connect
  bufferevent_enable(bev_, EV_READ | EV_WRITE);
  if (bufferevent_socket_connect(bev_, reinterpret_cast<const sockaddr*>(&o.server),
                                 sizeof o.server) != 0) {
    closeConnection(CloseKind::kConnectFailed, "");
  }
}

void ClientSession::onRead(bufferevent*, void* arg) {
  static_cast<ClientSession*>(arg)->readReplies();
}

void ClientSession::onEvent(bufferevent*, short what, void* arg) {
  auto* self = static_cast<ClientSession*>(arg);
  if ((what & BEV_EVENT_CONNECTED) != 0) {
    self->driver_.stats().connectionOpened();
    sockaddr_in local{};
    socklen_t len = sizeof local;
    std::array<char, INET_ADDRSTRLEN> text{};
    if (getsockname(bufferevent_getfd(self->bev_), reinterpret_cast<sockaddr*>(&local), &len) ==
            0 &&
        inet_ntop(AF_INET, &local.sin_addr, text.data(), text.size()) != nullptr) {
      self->local_literal_ = fmt::format("[{}]", text.data());
    } else {
      self->local_literal_ = "[127.0.0.1]";
    }
    self->state_ = State::kGreeting;
    return;
  }
  if (self->state_ == State::kConnecting) {
    self->closeConnection(CloseKind::kConnectFailed, "");
  } else if (self->state_ == State::kQuit) {
    self->closeConnection(CloseKind::kClean, "");  // the server closed first after QUIT
  } else {
    self->closeConnection(CloseKind::kLost,
                          (what & BEV_EVENT_TIMEOUT) != 0 ? "timeout" : "disconnect");
  }
}

void ClientSession::onReconnect(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<ClientSession*>(arg);
  // The last messages may have been claimed by other slots while this one waited.
  if (self->driver_.wantsConnections()) {
    self->connect();
  } else {
    self->driver_.slotRetired();
  }
}

void ClientSession::readReplies() {
  evbuffer* in = bufferevent_get_input(bev_);
  std::array<char, kMaxReplyLine> line{};
  for (unsigned n = 0; n < kMaxLinesPerRead; ++n) {
    std::size_t eol_size = 0;
    evbuffer_ptr eol = evbuffer_search_eol(in, nullptr, &eol_size, EVBUFFER_EOL_CRLF);
    if (eol.pos < 0) {
      if (evbuffer_get_length(in) < kMaxReplyLine) return;  // wait for the rest of the line
      closeConnection(CloseKind::kLost, "protocol");
      return;
    }
    const auto size = static_cast<std::size_t>(eol.pos);
    if (size >= kMaxReplyLine) {
      closeConnection(CloseKind::kLost, "protocol");
      return;
    }
    evbuffer_remove(in, line.data(), size);
    evbuffer_drain(in, eol_size);
    std::string_view text(line.data(), size);
    bool digits = text.size() >= 3 && text[0] >= '2' && text[0] <= '5' && text[1] >= '0' &&
                  text[1] <= '9' && text[2] >= '0' && text[2] <= '9';
    if (!digits || (text.size() > 3 && text[3] != ' ' && text[3] != '-') ||
        ++reply_lines_ > kMaxReplyLines) {
      closeConnection(CloseKind::kLost, "protocol");
      return;
    }
    int code = (text[0] - '0') * 100 + (text[1] - '0') * 10 + (text[2] - '0');
    if (state_ == State::kEhlo && code == 250 && text.size() > 4 &&
        startsWithIgnoreCase(text.substr(4), "PIPELINING")) {
      offers_pipelining_ = true;
    }
    if (text.size() > 3 && text[3] == '-') continue;  // more lines of this reply follow
    reply_lines_ = 0;
    handleReply(code);
    if (bev_ == nullptr) return;  // that reply ended the connection
  }
  closeConnection(CloseKind::kLost, "protocol");
}

void ClientSession::handleReply(int code) {
  const LoadOptions& o = driver_.options();
  switch (state_) {
    case State::kGreeting:
      if (code != 220) {
        closeConnection(CloseKind::kConnectFailed, "");
        return;
      }
      write(fmt::format("EHLO {}\r\n", o.helo.empty() ? local_literal_ : o.helo));
      state_ = State::kEhlo;
      return;
    case State::kEhlo:
      handleEhlo(code);
      return;
    case State::kMail:
      if (code != 250) noteFailure(code);
      state_ = State::kRcpt;
      if (pipelining_) return;  // RCPT and DATA are already on their way
      if (!first_failure_.empty()) {
        endFailedTransaction();
        return;
      }
      write(fmt::format("RCPT TO:<{}>\r\n", o.to));
      return;
    case State::kRcpt:
      if (code != 250 && code != 251) noteFailure(code);
      state_ = State::kData;
      if (pipelining_) return;
      if (!first_failure_.empty()) {
        endFailedTransaction();
        return;
      }
      write("DATA\r\n");
      return;
    case State::kData:
      if (code != 354) {
        noteFailure(code);
        endFailedTransaction();
      } else if (!first_failure_.empty()) {
        // RFC 2920 section 3.1: DATA accepted after a failed RCPT; end it with no content.
        write(".\r\n");
        state_ = State::kAbortBody;
      } else {
        writeBody();
        state_ = State::kBody;
      }
      return;
    case State::kBody:
      if (code != 250) {
        noteFailure(code);
        endFailedTransaction();
        return;
      }
      recordOutcome(true, "");
      nextMessage();
      return;
    case State::kAbortBody:
      endFailedTransaction();
      return;
    case State::kRset:
      if (code == 250)
        nextMessage();
      else
        sendQuit();
      return;
    case State::kQuit:
      closeConnection(CloseKind::kClean, "");
      return;
    case State::kHolding:
    case State::kWaitingToken:
      // Unasked-for: the server is closing (421 on idle timeout, shutdown).
      closeConnection(CloseKind::kLost, fmt::format("{}", code));
      return;
    case State::kClosed:
    case State::kConnecting:
      return;
  }
}

void ClientSession::handleEhlo(int code) {
  const LoadOptions& o = driver_.options();
  if (code != 250) {
    closeConnection(CloseKind::kConnectFailed, "");
    return;
  }
  consecutive_connect_failures_ = 0;
  pipelining_ = o.pipelining && offers_pipelining_;
  if (o.pipelining && !offers_pipelining_) driver_.stats().pipeliningNotOffered();
  if (o.idle > 0) {
    state_ = State::kHolding;
    expectReply(false);
    driver_.stats().idleReady();
    return;
  }
  nextMessage();
}

void ClientSession::nextMessage() {
  if (messages_on_connection_ >= driver_.options().messages_per_connection) {
    sendQuit();
    return;
  }
  Clock::time_point start;
  switch (driver_.requestMessage(*this, start)) {
    case LoadDriver::Grant::kGo:
      beginMessage(start);
      return;
    case LoadDriver::Grant::kWait:
      state_ = State::kWaitingToken;
      expectReply(false);
      return;
    case LoadDriver::Grant::kNoMore:
      sendQuit();
      return;
  }
}

void ClientSession::beginMessage(Clock::time_point start) {
  const LoadOptions& o = driver_.options();
  ++messages_on_connection_;
  in_message_ = true;
  first_failure_.clear();
  message_start_ = start;
  driver_.stats().messageStarted();
  std::string mail = fmt::format("MAIL FROM:<{}>\r\n", o.from);
  if (pipelining_) mail += fmt::format("RCPT TO:<{}>\r\nDATA\r\n", o.to);
  state_ = State::kMail;
  expectReply(true);
  write(mail);
}

void ClientSession::noteFailure(int code) {
  if (first_failure_.empty()) first_failure_ = fmt::format("{}", code);
}

void ClientSession::recordOutcome(bool accepted, std::string_view reason) {
  if (!in_message_) return;
  in_message_ = false;
  if (accepted) {
    driver_.stats().messageAccepted(Clock::now() - message_start_);
  } else {
    driver_.stats().messageFailed(first_failure_.empty() ? std::string(reason) : first_failure_);
  }
}

void ClientSession::endFailedTransaction() {
  recordOutcome(false, "");
  // The transaction may be half open (MAIL accepted, RCPT refused): RSET before the next.
  write("RSET\r\n");
  state_ = State::kRset;
}

void ClientSession::writeBody() {
  const MessageTemplate& m = driver_.message();
  const std::string id = driver_.nextMessageId();
  evbuffer* out = bufferevent_get_output(bev_);
  evbuffer_add(out, m.wire.data(), m.id_offset);
  evbuffer_add(out, id.data(), id.size());
  evbuffer_add(out, m.wire.data() + m.id_offset + m.id_size,
               m.wire.size() - m.id_offset - m.id_size);
}

void ClientSession::sendQuit() {
  write("QUIT\r\n");
  state_ = State::kQuit;
  expectReply(true);
}

void ClientSession::write(std::string_view bytes) {
  bufferevent_write(bev_, bytes.data(), bytes.size());
}

void ClientSession::expectReply(bool expect) {
  const timeval tv = toTimeval(driver_.options().reply_timeout_s);
  // Waiting for our own pacing or holding an idle connection is not the server's delay.
  bufferevent_set_timeouts(bev_, expect ? &tv : nullptr, &tv);
}

void ClientSession::closeConnection(CloseKind kind, std::string_view reason) {
  recordOutcome(false, reason);
  if (state_ == State::kWaitingToken) driver_.cancelWait(*this);
  if (bev_ != nullptr) bufferevent_free(bev_);
  bev_ = nullptr;
  afterClose(kind);
}

void ClientSession::afterClose(CloseKind kind) {
  state_ = State::kClosed;
  if (driver_.stopping()) return;
  LoadStats& stats = driver_.stats();
  if (driver_.options().idle > 0) {
    // An idle slot that failed or lost its connection stays down: the count of ready
    // connections is the measurement.
    if (kind == CloseKind::kConnectFailed)
      stats.connectFailed();
    else
      stats.idleLost();
    driver_.slotRetired();
    return;
  }
  double delay = 0;
  if (kind == CloseKind::kConnectFailed) {
    stats.connectFailed();
    if (++consecutive_connect_failures_ >= kMaxConnectAttempts) {
      driver_.slotRetired();
      return;
    }
    delay = kReconnectBackoffS * consecutive_connect_failures_;
  }
  if (!driver_.wantsConnections()) {
    driver_.slotRetired();
    return;
  }
  // Reconnect from the loop, not from inside this callback chain.
  const timeval tv = toTimeval(delay);
  evtimer_add(reconnect_event_, &tv);
}

}  // namespace ts::load
