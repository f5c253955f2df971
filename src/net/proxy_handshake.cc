// Peek, parse, then read: a peek shows what has arrived; bytes are read for real only once
// the parser says they belong to the header (all of them while it needs more, exactly the
// header's length when it is complete). Reading what was peeked also keeps a level-
// triggered read event from firing again and again for the same bytes.
#include "net/proxy_handshake.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "util/timeval.h"

namespace ts {

ProxyHandshake::ProxyHandshake(event_base* base, evutil_socket_t fd, SocketAddress proxy,
                               std::chrono::milliseconds timeout, Done done)
    : fd_(fd), proxy_(std::move(proxy)), timeout_(timeout), done_(std::move(done)) {
  read_event_ = event_new(base, fd_, EV_READ | EV_PERSIST, readCallback, this);
  timer_ = evtimer_new(base, timeoutCallback, this);
}

ProxyHandshake::~ProxyHandshake() {
  event_free(read_event_);
  event_free(timer_);
  if (fd_ >= 0) evutil_closesocket(fd_);
}

void ProxyHandshake::start() {
  timeval tv = toTimeval(timeout_);
  evtimer_add(timer_, &tv);
  event_add(read_event_, nullptr);
}

evutil_socket_t ProxyHandshake::release() {
  evutil_socket_t fd = fd_;
  fd_ = -1;
  return fd;
}

void ProxyHandshake::readCallback(evutil_socket_t, short, void* self) {
  static_cast<ProxyHandshake*>(self)->onReadable();
}

void ProxyHandshake::timeoutCallback(evutil_socket_t, short, void* self) {
  static_cast<ProxyHandshake*>(self)->onTimeout();
}

void ProxyHandshake::onReadable() {
  std::size_t room = buffer_.size() - received_;
  if (room == 0) {
    finish(fail(std::string("PROXY header longer than the largest allowed")));
    return;
  }
  ssize_t peeked = ::recv(fd_, buffer_.data() + received_, room, MSG_PEEK);
  if (peeked < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
    finish(fail(fmt::format("read failed: {}", std::strerror(errno))));
    return;
  }
  if (peeked == 0) {
    finish(fail(fmt::format("connection closed after {} bytes of a PROXY header", received_)));
    return;
  }
  auto seen = static_cast<std::size_t>(peeked);
  ProxyParse parsed = parseProxyHeader(std::string_view(buffer_.data(), received_ + seen));
  if (auto* header = std::get_if<ProxyHeader>(&parsed)) {
    ProxyHeader complete = *header;
    if (!consume(complete.length - received_)) return;
    finish(std::move(complete));
  } else if (auto* bad = std::get_if<ProxyInvalid>(&parsed)) {
    finish(fail(bad->reason));
  } else {
    consume(seen);
  }
}

bool ProxyHandshake::consume(std::size_t count) {
  ssize_t got = ::recv(fd_, buffer_.data() + received_, count, 0);
  if (got < 0 || static_cast<std::size_t>(got) != count) {
    finish(fail(fmt::format("read of {} peeked bytes failed", count)));
    return false;
  }
  received_ += count;
  return true;
}

void ProxyHandshake::onTimeout() {
  finish(fail(fmt::format("no complete PROXY header within {} ms ({} bytes received)",
                          timeout_.count(), received_)));
}

void ProxyHandshake::finish(Result<ProxyHeader> outcome) {
  event_del(read_event_);
  event_del(timer_);
  // The callback may queue this handshake for freeing; it runs from a local copy.
  Done done = std::move(done_);
  done(*this, std::move(outcome));
}

}  // namespace ts
