// kRefused stays temporary (451 4.3.0): a 400 without a To-number code means the request
// this server built was refused (a From number the account does not own, a wrong
// messaging service, an account restriction); the sender cannot fix that, the operator
// can, and a 5xx would bounce every message until they did (DESIGN.md invariant 3).
#include "relay/sms_api_reply.h"

#include "util/time_words.h"

namespace ts {
namespace {

using Kind = SmsApiResult::Kind;

GatewayReply reply(int code, const char* enhanced, std::string text) {
  GatewayReply out;
  out.code = code;
  out.enhanced = enhanced;
  out.lines.push_back(std::move(text));
  return out;
}

// What the API said, for the texts that quote it: "code 21211: The 'To' number ...".
std::string apiSaid(const SmsApiResult& r) {
  std::string out;
  if (r.api_code != 0) out = "code " + std::to_string(r.api_code);
  if (!r.api_message.empty()) out += (out.empty() ? "" : ": ") + r.api_message;
  if (out.empty()) out = "HTTP " + std::to_string(r.http_status);
  return out;
}

std::string retryWords(const SmsApiResult& r) {
  if (!r.retry_after || r.retry_after->count() <= 0) return "try again in a few minutes";
  return "try again in " + waitWords(*r.retry_after);
}

std::string maySent(const SmsApiResult& r) {
  return r.request_sent ? "; the SMS may have been sent, so a retry may send it twice" : "";
}

}  // namespace

GatewayReply smsApiReply(const SmsApiResult& r) {
  switch (r.kind) {
    case Kind::kSent:
      return reply(250, "2.0.0", "Sent as SMS, message id " + r.message_id);
    case Kind::kBadNumber:
      return reply(550, "5.1.1",
                   "The SMS service refused the recipient number (" + apiSaid(r) +
                       "); check that the number is right and can receive SMS");
    case Kind::kRateLimited:
      return reply(451, "4.4.5",
                   "The SMS service asked us to slow down (HTTP " + std::to_string(r.http_status) +
                       "); " + retryWords(r));
    case Kind::kPaused:
      return reply(
          451, "4.4.5",
          "SMS sending is paused because the SMS service asked us to slow down; " + retryWords(r));
    case Kind::kServerError:
      if (r.http_status == 0) {
        return reply(451, "4.4.2",
                     "The SMS service closed the connection without a complete answer" +
                         maySent(r) + "; try again later");
      }
      return reply(451, "4.4.2",
                   "The SMS service had a fault (HTTP " + std::to_string(r.http_status) +
                       "); try again later");
    case Kind::kTimeout:
      return reply(451, "4.4.2",
                   "The SMS service did not answer in time" + maySent(r) + "; try again later");
    case Kind::kUnconfirmed:
      return reply(451, "4.4.2",
                   "The SMS service answered HTTP " + std::to_string(r.http_status) +
                       " without a message id, so delivery is not confirmed" + maySent(r) +
                       "; try again later");
    case Kind::kUnreachable:
      return reply(451, "4.4.1",
                   "The SMS service cannot be reached from here at the moment; try again later");
    case Kind::kAuthFailed:
      return reply(451, "4.3.5",
                   "The SMS service refused this server's account (HTTP " +
                       std::to_string(r.http_status) +
                       "); its operator must fix the API credentials. Not your fault; try "
                       "again later");
    case Kind::kRefused:
      return reply(451, "4.3.0",
                   "The SMS service refused the request this server made (" + apiSaid(r) +
                       "); its operator must fix the SMS settings. Not your fault; try again "
                       "later");
  }
  return reply(451, "4.4.2", "The SMS service failed; try again later");
}

}  // namespace ts
