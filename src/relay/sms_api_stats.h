// What the SMS API client has done since it was made, for the metrics endpoint: a
// dashboard should see the API refusing, throttling or hanging before senders complain.
#pragma once

#include <array>
#include <cstdint>

#include "obs/latency_histogram.h"
#include "relay/sms_api_result.h"

namespace ts {

struct SmsApiStats {
  // One count per SmsApiResult::Kind, indexed by its value.
  std::array<std::uint64_t, kSmsApiKindCount> results{};
  // From send() to the result, for every request that was not refused by a pause.
  LatencyHistogram duration;
};

}  // namespace ts
