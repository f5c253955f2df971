// Reads the PROXY header a trusted load balancer sends first on a new connection, without
// reading one byte past it, so the socket then goes to the SMTP session as if the client
// had connected directly. Bounded by a deadline; it never blocks the loop.
#pragma once

#include <event2/event.h>

#include <array>
#include <chrono>
#include <functional>

#include "net/proxy_header.h"
#include "net/socket_address.h"
#include "util/result.h"

namespace ts {

class ProxyHandshake {
 public:
  // Called once: the header, or why the connection must be closed. The handshake may be
  // freed after it returns, not from inside it.
  using Done = std::function<void(ProxyHandshake& handshake, Result<ProxyHeader> header)>;

  ProxyHandshake(event_base* base, evutil_socket_t fd, SocketAddress proxy,
                 std::chrono::milliseconds timeout, Done done);
  ~ProxyHandshake();  // closes the socket unless it was released
  ProxyHandshake(const ProxyHandshake&) = delete;
  ProxyHandshake& operator=(const ProxyHandshake&) = delete;

  void start();
  // The socket, now at the client's first byte; the handshake no longer owns it.
  evutil_socket_t release();
  const SocketAddress& proxy() const { return proxy_; }

 private:
  void onReadable();
  void onTimeout();
  // Reads bytes already seen by a peek, so they are known to be there.
  bool consume(std::size_t count);
  void finish(Result<ProxyHeader> outcome);

  static void readCallback(evutil_socket_t fd, short what, void* self);
  static void timeoutCallback(evutil_socket_t fd, short what, void* self);

  evutil_socket_t fd_;
  SocketAddress proxy_;
  std::chrono::milliseconds timeout_;
  Done done_;
  event* read_event_ = nullptr;
  event* timer_ = nullptr;
  // The header bytes read so far: only bytes the parser said belong to the header.
  std::array<char, kProxyHeaderMaxBytes> buffer_{};
  std::size_t received_ = 0;
};

}  // namespace ts
