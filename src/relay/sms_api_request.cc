// libevent's evhttp_uriencode does the form encoding (its unreserved set is RFC 3986's, with
// space as '+'), OpenSSL's EVP_EncodeBlock the base64: neither is hand-written here.
#include "relay/sms_api_request.h"

#include <event2/http.h>
#include <openssl/evp.h>

#include <cstdlib>

namespace ts {
namespace {

std::string uriEncoded(std::string_view text) {
  char* encoded = evhttp_uriencode(text.data(), static_cast<ev_ssize_t>(text.size()), 1);
  if (encoded == nullptr) return "";
  std::string out(encoded);
  std::free(encoded);
  return out;
}

}  // namespace

std::string formEncode(const std::vector<std::pair<std::string_view, std::string_view>>& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out.push_back('&');
    out.append(uriEncoded(name)).append("=").append(uriEncoded(value));
  }
  return out;
}

std::string smsApiFormBody(std::string_view to, std::string_view from,
                           std::string_view messaging_service_sid, std::string_view body) {
  std::vector<std::pair<std::string_view, std::string_view>> fields{{"To", to}};
  if (!from.empty()) {
    fields.emplace_back("From", from);
  } else {
    fields.emplace_back("MessagingServiceSid", messaging_service_sid);
  }
  fields.emplace_back("Body", body);
  return formEncode(fields);
}

std::string basicAuthorization(const SmsApiCredentials& credentials) {
  std::string user_pass = credentials.account_sid + ":" + credentials.auth_token;
  std::string encoded(4 * ((user_pass.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                          reinterpret_cast<const unsigned char*>(user_pass.data()),
                          static_cast<int>(user_pass.size()));
  encoded.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return "Basic " + encoded;
}

std::string smsApiMessagesPath(std::string_view base_path, std::string_view account_sid) {
  while (!base_path.empty() && base_path.back() == '/') base_path.remove_suffix(1);
  return std::string(base_path) + "/2010-04-01/Accounts/" + std::string(account_sid) +
         "/Messages.json";
}

}  // namespace ts
