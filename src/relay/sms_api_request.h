// The parts of the HTTP request that sends one SMS through a Twilio-style API: the form
// body, the Basic Authorization value and the Messages resource path. Pure functions, so
// the encoding is tested without a network.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "relay/sms_api_credentials.h"

namespace ts {

// application/x-www-form-urlencoded: name=value pairs joined by '&', every byte outside
// ALPHA / DIGIT / "-._~" percent-encoded (UTF-8 byte by byte), a space as '+'.
std::string formEncode(const std::vector<std::pair<std::string_view, std::string_view>>& fields);

// To, then From or MessagingServiceSid (whichever is set; from wins when both are), then Body.
std::string smsApiFormBody(std::string_view to, std::string_view from,
                           std::string_view messaging_service_sid, std::string_view body);

// "Basic " + base64(account_sid ":" auth_token) (RFC 7617). Holds the token: only for the
// request header, never for a log line.
std::string basicAuthorization(const SmsApiCredentials& credentials);

// base_path (the URL's path without its trailing '/', may be empty) +
// "/2010-04-01/Accounts/<sid>/Messages.json".
std::string smsApiMessagesPath(std::string_view base_path, std::string_view account_sid);

}  // namespace ts
