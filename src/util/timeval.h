// libevent takes timeouts as struct timeval; the configuration speaks std::chrono.
#pragma once

#include <sys/time.h>

#include <chrono>

namespace ts {

inline timeval toTimeval(std::chrono::milliseconds d) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(d.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((d.count() % 1000) * 1000);
  return tv;
}

}  // namespace ts
