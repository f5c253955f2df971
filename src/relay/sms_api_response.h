// Reads the API's answer (status, JSON body, Retry-After) into an SmsApiResult. Pure, so
// every status and body shape is a unit test; the client only collects the three inputs.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string_view>

#include "relay/sms_api_result.h"

namespace ts {

// A Messages answer is well under 4 KiB; the client refuses bodies above this and the parser
// reads none larger (a larger 2xx is unconfirmed, a larger error is judged by its status).
inline constexpr std::size_t kSmsApiMaxBody = 64 * 1024;
// A Retry-After beyond this is taken as this: a typo or a hostile server must not stop SMS
// delivery for days.
inline constexpr std::chrono::seconds kSmsApiMaxRetryAfter{3600};

// delta-seconds ("120") or an HTTP-date in any of RFC 9110's three forms (IMF-fixdate,
// RFC 850, asctime), as a wait from now, capped at kSmsApiMaxRetryAfter; a date in the past
// is zero. nullopt when the value is none of these.
std::optional<std::chrono::seconds> parseRetryAfter(std::string_view value,
                                                    std::chrono::system_clock::time_point now);

// status: the HTTP status; body: the response body; retry_after: the Retry-After header
// value, empty when there was none. request_sent is set: there was an answer.
SmsApiResult parseSmsApiResponse(int status, std::string_view body, std::string_view retry_after,
                                 std::chrono::system_clock::time_point now);

}  // namespace ts
