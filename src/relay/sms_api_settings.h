// What the SMS API client needs from the configuration, as one value the lead's config
// code fills: a reload builds a new one and hands it to SmsApiClient::reconfigure.
#pragma once

#include <string>

#include "config/config.h"
#include "relay/sms_api_credentials.h"

namespace ts {

struct SmsApiSettings {
  std::string url;      // base, e.g. "https://api.twilio.com" (https only)
  std::string ca_file;  // empty: the system's default verify paths
  std::string from;     // exactly one of from / messaging_service_sid
  std::string messaging_service_sid;
  Duration timeout{};  // the whole request: DNS, connect, TLS, answer
  SmsApiCredentials credentials;
};

}  // namespace ts
