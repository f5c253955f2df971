// Failure to set an option is harmless (the socket still works, only slower), so the
// result is not reported.
#include "net/socket_options.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace ts {

void setNoDelay(evutil_socket_t fd) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

}  // namespace ts
