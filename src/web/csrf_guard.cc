// The token is "<issued unix seconds>.<hex HMAC-SHA256>"; comparing it takes the same
// time wherever it differs. The Origin check is the second wall: browsers send Origin
// with every cross-site POST.
#include "web/csrf_guard.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>

#include <fmt/format.h>

#include "util/ascii.h"

namespace ts {

std::string CsrfGuard::mac(std::string_view user, std::string_view issued) const {
  std::string message = std::string(issued) + '\n' + std::string(user);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &length);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

std::string CsrfGuard::tokenFor(std::string_view user, std::int64_t now) const {
  std::string issued = std::to_string(now);
  return issued + "." + mac(user, issued);
}

std::string CsrfGuard::refusal(const HttpRequest& request, std::string_view user,
                               std::int64_t now) const {
  if (!request.origin.empty()) {
    std::string expected = (request.tls ? "https://" : "http://") + asciiLower(request.host);
    if (asciiLower(request.origin) != expected) {
      return "This form was sent from another site (" + request.origin +
             "); open the dashboard itself and send it from there.";
    }
  }
  std::string token = fieldValue(request.form, "csrf");
  std::size_t dot = token.find('.');
  std::int64_t issued = 0;
  if (dot == std::string::npos ||
      std::from_chars(token.data(), token.data() + dot, issued).ptr != token.data() + dot) {
    return "The form carries no valid security token; reload the page and send it again.";
  }
  std::string expected = mac(user, token.substr(0, dot));
  std::string_view given = std::string_view(token).substr(dot + 1);
  if (given.size() != expected.size() ||
      CRYPTO_memcmp(given.data(), expected.data(), expected.size()) != 0) {
    return "The form's security token is not valid for you; reload the page and send it again.";
  }
  if (issued > now + 60 || now - issued > kLifetimeSeconds) {
    return "The form is too old; reload the page and send it again.";
  }
  return "";
}

}  // namespace ts
