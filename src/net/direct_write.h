// Writes to a bufferevent's socket at once when nothing is queued before the data, and
// queues only what the socket did not take. libevent would otherwise add EPOLLOUT interest
// for every write and remove it once the buffer drained: two epoll_ctl calls per reply,
// the largest share of the daemon's system calls in the load profile. A filtering
// bufferevent (TLS) is always written through.
#pragma once

#include <event2/bufferevent.h>

#include <cstddef>
#include <string_view>

namespace ts {

void writeNow(bufferevent* bev, std::string_view data);

}  // namespace ts
