// What one attempt to send an SMS through the HTTP API came to, as one value: the client
// fills it, the session turns it into an SMTP reply (smsApiReply) and the log reads it.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ts {

struct SmsApiResult {
  enum class Kind {
    kSent,         // 2xx with a message id ("sid")
    kUnconfirmed,  // 2xx without an id, or an unreadable 2xx body
    kBadNumber,    // 4xx whose Twilio error code says the To number is invalid or unreachable
    kRefused,      // other 400/422: the request itself
    kAuthFailed,   // 401, 403
    kRateLimited,  // 429, and 503 with Retry-After
    kServerError,  // other 5xx, any other status, or the answer broke off after the request
    kTimeout,      // no complete answer within sms_api_timeout
    kUnreachable,  // DNS failure, connect refused, TLS handshake or verification failed
    kPaused,       // not sent: an earlier Retry-After is still running
  };
  Kind kind = Kind::kServerError;
  int http_status = 0;
  std::string message_id;   // kSent
  int api_code = 0;         // Twilio "code" when the body had one
  std::string api_message;  // Twilio "message", printable ASCII, cut to 200 chars
  // From Retry-After (delta-seconds or HTTP-date), capped at an hour; kPaused: what is left.
  std::optional<std::chrono::seconds> retry_after;
  // The TLS connection was up, so the request was handed to it: an answer that never came
  // does not prove the SMS was not sent.
  bool request_sent = false;
  std::string detail;  // for the log: TLS/verify error, DNS status... never credentials
};

inline constexpr std::size_t kSmsApiKindCount =
    static_cast<std::size_t>(SmsApiResult::Kind::kPaused) + 1;

// The kind as one word for log lines, metrics and the decision record: "sent",
// "unconfirmed", "bad_number", "refused", "auth_failed", "rate_limited", "server_error",
// "timeout", "unreachable", "paused".
std::string_view smsApiKindName(SmsApiResult::Kind kind);

}  // namespace ts
