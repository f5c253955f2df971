// Whether the keys fit together, and the credentials file, are checked once every key is
// read (config.cc), since they depend on `upstream`.
#include "relay/sms_api_config.h"

#include <event2/http.h>

#include <array>

#include "config/config.h"
#include "config/config_table.h"
#include "config/key_setters.h"
#include "sms/sms_template.h"

namespace ts {
namespace {

Status<> setUpstream(Config& c, const std::vector<std::string>& values) {
  auto v = singleValue(values);
  if (!v) return fail(v.error());
  if (*v == "smtp") {
    c.upstream = UpstreamKind::kSmtpGateway;
  } else if (*v == "sms_api") {
    c.upstream = UpstreamKind::kSmsApi;
  } else {
    return fail("'" + *v + "' is not an upstream (smtp or sms_api)");
  }
  return Ok{};
}

Status<> setUrl(Config& c, const std::vector<std::string>& values) {
  auto v = singleValue(values);
  if (!v) return fail(v.error());
  std::unique_ptr<evhttp_uri, decltype(&evhttp_uri_free)> uri(evhttp_uri_parse(v->c_str()),
                                                              evhttp_uri_free);
  // The token travels in every request: never in clear.
  if (!uri || evhttp_uri_get_scheme(uri.get()) == nullptr ||
      std::string_view(evhttp_uri_get_scheme(uri.get())) != "https" ||
      evhttp_uri_get_host(uri.get()) == nullptr || *evhttp_uri_get_host(uri.get()) == '\0' ||
      evhttp_uri_get_query(uri.get()) != nullptr || evhttp_uri_get_userinfo(uri.get()) != nullptr) {
    return fail("'" + *v + "' is not an https:// URL with a host (e.g. https://api.twilio.com)");
  }
  c.sms_api.url = *v;
  while (!c.sms_api.url.empty() && c.sms_api.url.back() == '/') c.sms_api.url.pop_back();
  return Ok{};
}

template <std::string SmsApiConfig::*Field>
Status<> setText(Config& c, const std::vector<std::string>& values) {
  return assignText(c.sms_api.*Field, values);
}

Status<> setTimeout(Config& c, const std::vector<std::string>& values) {
  return assignDeadline(c.sms_api.timeout, values);
}

Status<> setTemplate(Config& c, const std::vector<std::string>& values) {
  auto v = singleValue(values);
  if (!v) return fail(v.error());
  auto parsed = sms::parseSmsTemplate(*v);
  if (!parsed) return fail(parsed.error());
  c.sms_api.template_text = std::move(parsed->text);
  return Ok{};
}

Status<> setMaxSegments(Config& c, const std::vector<std::string>& values) {
  return assignCount(c.sms_api.max_segments, values, 1, 10);
}

constexpr std::array kKeys = {
    ConfigKey{"upstream", "smtp", "kind",
              "Where accepted mail goes: smtp (the carrier's SMTP gateway at `gateway`) or "
              "sms_api (an HTTP SMS API with Twilio's Messages interface, for a carrier that "
              "retired its email-to-SMS gateway: one recipient per transaction, authorised "
              "senders only).",
              false, setUpstream},
    ConfigKey{"sms_api_url", "https://api.twilio.com", "URL",
              "Base URL of the SMS API (https only); messages are posted to "
              "<url>/2010-04-01/Accounts/<account_sid>/Messages.json.",
              false, setUrl},
    ConfigKey{"sms_api_credentials_file", "", "path",
              "File with the API's account_sid=... and auth_token=... lines; must belong to "
              "the daemon's user and be readable by it alone (chmod 600). Read again on reload.",
              false, setText<&SmsApiConfig::credentials_file>},
    ConfigKey{"sms_api_from", "", "sender",
              "The sending number (E.164) or alphanumeric sender id of every text; or set "
              "sms_api_messaging_service_sid instead.",
              false, setText<&SmsApiConfig::from>},
    ConfigKey{"sms_api_messaging_service_sid", "", "id",
              "The API's messaging service (MG...) that picks the sending number; or set "
              "sms_api_from instead.",
              false, setText<&SmsApiConfig::messaging_service_sid>},
    ConfigKey{"sms_api_ca_file", "", "path",
              "PEM CA bundle the API's certificate is verified with; empty: the system's "
              "trusted CAs. The certificate is always verified, with the URL's host name.",
              false, setText<&SmsApiConfig::ca_file>},
    ConfigKey{"sms_api_timeout", "15s", "duration",
              "How long one API request may take (DNS, connection, TLS, answer); longer is "
              "answered 451 4.4.2 and the sender retries.",
              false, setTimeout},
    ConfigKey{
        "sms_template", "{subject}\\n{body}", "template",
        "The text sent for a message: {subject}, {body} (the text part, or the HTML "
        "part's text), {sender} (the envelope sender) and {from} (the From: display name, else "
        "its address); \\n is a line break.",
        false, setTemplate},
    ConfigKey{"sms_max_segments", "3", "count",
              "Most SMS segments one message may use (GSM-7: 160 characters alone, 153 per "
              "segment when joined; UCS-2: 70 and 67); a longer text is cut and ends in \"...\".",
              false, setMaxSegments},
};

}  // namespace

std::span<const ConfigKey> smsApiConfigKeys() {
  return kKeys;
}

}  // namespace ts
