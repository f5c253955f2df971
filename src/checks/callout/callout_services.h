// What the sender callout needs from the daemon beyond DNS: an SMTP prober, the result
// cache, the per-domain limiter and a clock. They outlive every check run and every
// config reload, so the Server owns them and each Runtime's CalloutCheck holds this.
#pragma once

#include <chrono>
#include <functional>

#include "checks/callout/callout_cache.h"
#include "checks/callout/callout_limiter.h"
#include "checks/callout/smtp_prober.h"

namespace ts {

// Wall-clock time: cache entries outlive the process, so they are kept in unix seconds.
using CalloutClock = std::function<std::chrono::system_clock::time_point()>;

struct CalloutServices {
  SmtpProber& prober;
  CalloutCache& cache;
  CalloutLimiter& limiter;
  CalloutClock clock = [] { return std::chrono::system_clock::now(); };
};

}  // namespace ts
