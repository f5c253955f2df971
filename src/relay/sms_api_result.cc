// Names are stable: dashboards and the decision log keep them.
#include "relay/sms_api_result.h"

namespace ts {

std::string_view smsApiKindName(SmsApiResult::Kind kind) {
  using Kind = SmsApiResult::Kind;
  switch (kind) {
    case Kind::kSent:
      return "sent";
    case Kind::kUnconfirmed:
      return "unconfirmed";
    case Kind::kBadNumber:
      return "bad_number";
    case Kind::kRefused:
      return "refused";
    case Kind::kAuthFailed:
      return "auth_failed";
    case Kind::kRateLimited:
      return "rate_limited";
    case Kind::kServerError:
      return "server_error";
    case Kind::kTimeout:
      return "timeout";
    case Kind::kUnreachable:
      return "unreachable";
    case Kind::kPaused:
      return "paused";
  }
  return "unknown";
}

}  // namespace ts
