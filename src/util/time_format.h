// Times and ages as operators read them in listings and messages, the same in
// textscreenctl and on the staff dashboard: "2026-11-23T15:20:00Z" (always UTC), "5m", "1h".
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace ts {

std::string formatTime(std::int64_t unix_seconds);        // "2026-11-23T15:20:00Z"
std::string formatAge(std::int64_t seconds);              // "45s", "5m", "3h", "2d"
std::string formatDuration(std::chrono::milliseconds d);  // a configured duration: "1h", "30d"

}  // namespace ts
