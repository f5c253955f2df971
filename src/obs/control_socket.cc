// Each request is served by a bufferevent that frees itself after its answer is written;
// a client that never sends its line is dropped after a short timeout.
#include "obs/control_socket.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace ts {
namespace {

constexpr std::size_t kMaxRequest = 1024;

// True when a daemon answers on the path now. The probe does not wait: a full backlog
// (EAGAIN) also means someone listens there.
bool inUse(const sockaddr_un& addr) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr));
  bool listening = rc == 0 || errno == EAGAIN || errno == EINPROGRESS;
  ::close(fd);
  return listening;
}

struct Request {
  ControlSocket::Handler* handler;
};

void finish(bufferevent* bev, void* arg) {
  delete static_cast<Request*>(arg);
  bufferevent_free(bev);
}

void onWritten(bufferevent* bev, void* arg) {
  if (evbuffer_get_length(bufferevent_get_output(bev)) == 0) finish(bev, arg);
}

void onEvent(bufferevent* bev, short, void* arg) {
  finish(bev, arg);
}

void onRead(bufferevent* bev, void* arg) {
  auto* request = static_cast<Request*>(arg);
  evbuffer* in = bufferevent_get_input(bev);
  std::size_t len = 0;
  char* line = evbuffer_readln(in, &len, EVBUFFER_EOL_CRLF);
  if (!line) {
    if (evbuffer_get_length(in) > kMaxRequest) finish(bev, arg);
    return;
  }
  std::string text(line, len);
  std::free(line);
  std::string answer = (*request->handler)(text) + "\n";
  bufferevent_disable(bev, EV_READ);
  bufferevent_setcb(bev, nullptr, onWritten, onEvent, arg);
  bufferevent_write(bev, answer.data(), answer.size());
}

}  // namespace

Result<std::unique_ptr<ControlSocket>> ControlSocket::open(event_base* base,
                                                           const std::string& path,
                                                           Handler handler) {
  sockaddr_un addr{};
  if (path.size() >= sizeof(addr.sun_path)) return fail("control socket path too long: " + path);
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  // Several daemons may share a state_dir (reuse_port): taking over a live one's socket
  // would leave it unreachable by textscreenctl, so only a file left by a killed daemon
  // (nobody answers) is removed, or bind would fail on it.
  if (inUse(addr)) {
    return fail("control socket " + path +
                " is in use by another running textscreen; give each process its own "
                "control_socket");
  }
  ::unlink(path.c_str());
  std::unique_ptr<ControlSocket> socket(new ControlSocket(path, std::move(handler)));
  mode_t old_mask = ::umask(0117);  // srw-rw----: the daemon's user and group only
  socket->listener_ = evconnlistener_new_bind(base, acceptCallback, socket.get(),
                                              LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1,
                                              reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  ::umask(old_mask);
  if (!socket->listener_) return fail("cannot listen on " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) socket->inode_ = st.st_ino;
  return socket;
}

ControlSocket::~ControlSocket() {
  if (listener_) {
    evconnlistener_free(listener_);
    // Only our own file: another daemon may have taken the path over after ours was removed.
    struct stat st {};
    if (::stat(path_.c_str(), &st) == 0 && st.st_ino == inode_) ::unlink(path_.c_str());
  }
}

void ControlSocket::acceptCallback(evconnlistener* listener, evutil_socket_t fd, sockaddr*, int,
                                   void* arg) {
  auto* self = static_cast<ControlSocket*>(arg);
  event_base* base = evconnlistener_get_base(listener);
  bufferevent* bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
  auto* request = new Request{&self->handler_};
  bufferevent_setcb(bev, onRead, nullptr, onEvent, request);
  timeval timeout{5, 0};
  bufferevent_set_timeouts(bev, &timeout, &timeout);
  bufferevent_enable(bev, EV_READ);
}

}  // namespace ts
