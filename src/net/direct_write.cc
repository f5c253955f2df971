// A failed send (EAGAIN, or a reset) is not an error here: the data goes to the
// bufferevent, which retries or reports the failure through its event callback as before.
#include "net/direct_write.h"

#include <event2/buffer.h>
#include <sys/socket.h>

namespace ts {

void writeNow(bufferevent* bev, std::string_view data) {
  if (data.empty()) return;
  // A filter (TLS) reports its socket's descriptor too, but what it sends must pass
  // through the filter: only a plain socket's bufferevent is written past.
  evutil_socket_t fd = bufferevent_get_underlying(bev) ? -1 : bufferevent_getfd(bev);
  if (fd >= 0 && evbuffer_get_length(bufferevent_get_output(bev)) == 0) {
    ssize_t sent = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent > 0) data.remove_prefix(static_cast<std::size_t>(sent));
  }
  if (!data.empty()) bufferevent_write(bev, data.data(), data.size());
}

}  // namespace ts
