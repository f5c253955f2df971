// The abuse counters' configuration keys (STYLE.md 6): postscreen/smtpd-style limits on
// what one client may do wrong before it is sent away and put in the penalty box.
#pragma once

#include <chrono>
#include <span>

namespace ts {

struct ConfigKey;

struct AbuseConfig {
  unsigned max_rsets = 0;           // per session; 0: no limit
  unsigned max_bad_recipients = 0;  // refused recipients per session; 0: no limit
  unsigned max_window_errors = 0;   // error replies per client address over window; 0: off
  unsigned max_auth_failures = 5;   // failed AUTH attempts per client address over window
  std::chrono::seconds window{std::chrono::minutes(10)};
  std::chrono::seconds penalty_time{std::chrono::minutes(10)};  // 0: no penalty box
};

std::span<const ConfigKey> abuseConfigKeys();

}  // namespace ts
