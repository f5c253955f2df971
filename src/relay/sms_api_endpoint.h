// Everything about the API that is the same for every request of a settings snapshot: the
// parsed URL, the TLS context that verifies the API's certificate, the path and the
// Authorization value. Built once per (re)configuration; requests share it.
#pragma once

#include <openssl/ssl.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "relay/sms_api_settings.h"
#include "util/result.h"

namespace ts {

class SmsApiEndpoint {
 public:
  // Refuses (naming the key and the fix) a URL that is not https, has no host, carries a
  // user, query or fragment; a CA file that cannot be loaded. Usable by --check-config.
  static Result<std::shared_ptr<const SmsApiEndpoint>> create(const SmsApiSettings& settings);
  ~SmsApiEndpoint();
  SmsApiEndpoint(const SmsApiEndpoint&) = delete;
  SmsApiEndpoint& operator=(const SmsApiEndpoint&) = delete;

  const std::string& host() const { return host_; }  // a name, or an address without []
  bool hostIsAddress() const { return host_is_address_; }
  std::uint16_t port() const { return port_; }
  const std::string& hostHeader() const { return host_header_; }  // "[::1]:8443"
  const std::string& path() const { return path_; }               // ".../Messages.json"
  // Holds the token: for the request header only.
  const std::string& authorization() const { return authorization_; }
  Duration timeout() const { return settings_.timeout; }
  std::string formBody(std::string_view to, std::string_view body) const;
  // A client SSL that checks the chain and the URL's host (name or address) and sends SNI
  // for a name; null when OpenSSL cannot make one. The caller owns it.
  SSL* newSsl() const;

 private:
  explicit SmsApiEndpoint(SmsApiSettings settings) : settings_(std::move(settings)) {}

  SmsApiSettings settings_;
  SSL_CTX* ctx_ = nullptr;
  std::string host_;
  bool host_is_address_ = false;
  std::uint16_t port_ = 443;
  std::string host_header_;
  std::string path_;
  std::string authorization_;
};

}  // namespace ts
