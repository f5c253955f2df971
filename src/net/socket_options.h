// Socket options every SMTP socket of the daemon gets.
#pragma once

#include <event2/util.h>

namespace ts {

// SMTP is a dialog of small writes; with Nagle's algorithm each reply that follows
// another small write waits for the peer's delayed ACK (40 ms on Linux).
void setNoDelay(evutil_socket_t fd);

}  // namespace ts
