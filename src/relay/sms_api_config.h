// The `upstream` key and the SMS API's keys (STYLE.md 6): where a carrier that retired its
// email-to-SMS gateway sends screened mail instead, and how a message becomes a text.
#pragma once

#include <chrono>
#include <memory>
#include <span>
#include <string>

namespace ts {

struct ConfigKey;
struct SmsApiCredentials;

enum class UpstreamKind { kSmtpGateway, kSmsApi };

struct SmsApiConfig {
  std::string url;  // base: https://api.twilio.com
  std::string credentials_file;
  std::string from;  // exactly one of from and messaging_service_sid
  std::string messaging_service_sid;
  std::string ca_file;  // empty: the system's trusted CAs
  std::chrono::milliseconds timeout{};
  std::string template_text;  // `\n` already turned into newlines, placeholders checked
  unsigned max_segments = 0;
  // Read when the configuration loads (upstream = sms_api), so a file anyone may read, or
  // one without a token, fails the load (or the reload, which keeps the running one).
  std::shared_ptr<const SmsApiCredentials> credentials;
};

std::span<const ConfigKey> smsApiConfigKeys();

}  // namespace ts
