// The URL is parsed by libevent (evhttp_uri), the same parser that will carry the request.
// The certificate's name is checked by OpenSSL during the handshake (X509_VERIFY_PARAM, as
// for the gateway), so a wrong name fails the handshake like a wrong CA.
#include "relay/sms_api_endpoint.h"

#include <arpa/inet.h>
#include <event2/http.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "net/openssl_errors.h"
#include "relay/sms_api_request.h"
#include "util/ascii.h"

namespace ts {
namespace {

bool isAddress(const std::string& host) {
  unsigned char buffer[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

}  // namespace

Result<std::shared_ptr<const SmsApiEndpoint>> SmsApiEndpoint::create(
    const SmsApiSettings& settings) {
  std::shared_ptr<SmsApiEndpoint> endpoint(new SmsApiEndpoint(settings));
  evhttp_uri* uri = evhttp_uri_parse_with_flags(settings.url.c_str(), 0);
  if (uri == nullptr) {
    return fail("sms_api_url: '" + settings.url +
                "' is not a URL; give the API's base, e.g. https://api.twilio.com");
  }
  const char* scheme = evhttp_uri_get_scheme(uri);
  const char* host = evhttp_uri_get_host(uri);
  const char* path = evhttp_uri_get_path(uri);
  bool extras = evhttp_uri_get_userinfo(uri) != nullptr || evhttp_uri_get_query(uri) != nullptr ||
                evhttp_uri_get_fragment(uri) != nullptr;
  int port = evhttp_uri_get_port(uri);
  std::string host_text = host ? host : "";
  std::string path_text = path ? path : "";
  bool https = scheme != nullptr && asciiEqualsIgnoreCase(scheme, "https");
  evhttp_uri_free(uri);
  if (!https) {
    return fail("sms_api_url: '" + settings.url +
                "' is not https; the API token must not travel in plaintext");
  }
  if (host_text.size() > 2 && host_text.front() == '[' && host_text.back() == ']') {
    host_text = host_text.substr(1, host_text.size() - 2);
  }
  if (host_text.empty() || extras || port == 0) {
    return fail("sms_api_url: '" + settings.url +
                "' must be https://host[:port][/path] without a user, query or fragment");
  }
  endpoint->host_ = host_text;
  endpoint->host_is_address_ = isAddress(host_text);
  endpoint->port_ = port > 0 ? static_cast<std::uint16_t>(port) : 443;
  std::string bracketed =
      host_text.find(':') != std::string::npos ? "[" + host_text + "]" : host_text;
  endpoint->host_header_ =
      port > 0 && port != 443 ? bracketed + ":" + std::to_string(port) : bracketed;
  endpoint->path_ = smsApiMessagesPath(path_text, settings.credentials.account_sid);
  endpoint->authorization_ = basicAuthorization(settings.credentials);

  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (!ctx) return fail("cannot make a TLS context: " + takeOpensslErrors());
  endpoint->ctx_ = ctx;
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  bool loaded = settings.ca_file.empty()
                    ? SSL_CTX_set_default_verify_paths(ctx) == 1
                    : SSL_CTX_load_verify_file(ctx, settings.ca_file.c_str()) == 1;
  if (!loaded) {
    return fail("sms_api_ca_file: cannot load '" + settings.ca_file + "': " + takeOpensslErrors() +
                "; give a PEM file of CA certificates");
  }
  X509_VERIFY_PARAM* param = SSL_CTX_get0_param(ctx);
  if (endpoint->host_is_address_) {
    X509_VERIFY_PARAM_set1_ip_asc(param, host_text.c_str());
  } else {
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (X509_VERIFY_PARAM_set1_host(param, host_text.c_str(), host_text.size()) != 1) {
      return fail("sms_api_url: '" + host_text + "' is not a usable host name");
    }
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  ERR_clear_error();
  return std::shared_ptr<const SmsApiEndpoint>(std::move(endpoint));
}

SmsApiEndpoint::~SmsApiEndpoint() {
  SSL_CTX_free(ctx_);
}

std::string SmsApiEndpoint::formBody(std::string_view to, std::string_view body) const {
  return smsApiFormBody(to, settings_.from, settings_.messaging_service_sid, body);
}

SSL* SmsApiEndpoint::newSsl() const {
  SSL* ssl = SSL_new(ctx_);
  if (ssl && !host_is_address_) SSL_set_tlsext_host_name(ssl, host_.c_str());
  return ssl;
}

}  // namespace ts
