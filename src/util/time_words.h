// Durations and times in the words a sender's admin reads in a refusal: "an hour",
// "retry in 12 minutes (after 14:05 UTC)". Shared by the rate limits and the abuse
// counters so every refusal speaks the same way; the sender's time zone is unknown: UTC.
#pragma once

#include <chrono>
#include <string>

namespace ts {

// A configured window in its largest whole unit: "a second", "90 seconds", "10 minutes",
// "an hour", "a day".
std::string durationWords(std::chrono::seconds d);
// A wait, rounded up so a sender that waits as told is not refused again: "45 seconds",
// "12 minutes", "2 hours 5 minutes".
std::string waitWords(std::chrono::seconds d);
// The UTC minute at or after `at`, "14:05 UTC"; with the date ("2024-05-02 14:05 UTC") when
// it falls on another UTC day than `now`.
std::string utcTimeWords(std::chrono::system_clock::time_point at,
                         std::chrono::system_clock::time_point now);

}  // namespace ts
