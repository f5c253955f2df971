// The SMTP reply for what the SMS API did with a message: the sender's admin reads it, so
// it says in plain words what happened and who must act. The session appends the
// reference id.
#pragma once

#include "relay/gateway_reply.h"
#include "relay/sms_api_result.h"

namespace ts {

// kSent 250 2.0.0; kBadNumber 550 5.1.1; kRateLimited and kPaused 451 4.4.5; kServerError,
// kTimeout and kUnconfirmed 451 4.4.2; kUnreachable 451 4.4.1; kAuthFailed 451 4.3.5;
// kRefused 451 4.3.0. Only a bad number is permanent: every other refusal is about this
// server's account or request, which its operator fixes while the mail waits in queues.
// Never holds the credentials or result.detail (TLS internals are for the log).
GatewayReply smsApiReply(const SmsApiResult& result);

}  // namespace ts
