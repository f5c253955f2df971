// The daemon's control socket (DESIGN.md "The control socket"): a unix stream socket
// owned by the daemon's user where textscreenctl asks for live state that is not in
// LMDB. One request line in, one JSON line out, then the connection closes.
#pragma once

#include <event2/event.h>
#include <event2/listener.h>
#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>

#include "util/result.h"

namespace ts {

class ControlSocket {
 public:
  // Answers a request line ("status") with one line of JSON.
  using Handler = std::function<std::string(const std::string& request)>;

  static Result<std::unique_ptr<ControlSocket>> open(event_base* base, const std::string& path,
                                                     Handler handler);
  ~ControlSocket();
  ControlSocket(const ControlSocket&) = delete;
  ControlSocket& operator=(const ControlSocket&) = delete;

 private:
  ControlSocket(std::string path, Handler handler)
      : path_(std::move(path)), handler_(std::move(handler)) {}
  static void acceptCallback(evconnlistener* listener, evutil_socket_t fd, sockaddr* addr, int len,
                             void* self);

  std::string path_;
  Handler handler_;
  evconnlistener* listener_ = nullptr;
  ino_t inode_ = 0;  // of the socket file this daemon made
};

}  // namespace ts
