// Cross-site request forgery protection for the staff forms: the browser sends basic
// auth with any request to this host, so a state-changing POST must also carry a token
// only a page of ours could have given it (an HMAC of the user and the time it was
// issued under a key only textscreen reads), and come from our own origin.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "web/http_exchange.h"
#include "web/web_secret.h"

namespace ts {

class CsrfGuard {
 public:
  static constexpr std::int64_t kLifetimeSeconds = 12 * 3600;

  explicit CsrfGuard(const WebSecret& key) : key_(key) {}

  std::string tokenFor(std::string_view user, std::int64_t now) const;
  // Empty when the request may change state; otherwise why not, in words for the page.
  std::string refusal(const HttpRequest& request, std::string_view user, std::int64_t now) const;

 private:
  std::string mac(std::string_view user, std::string_view issued) const;

  WebSecret key_;
};

}  // namespace ts
