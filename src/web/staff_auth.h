// Who is using the staff dashboard: HTTP basic auth against web_staff_users_file, the
// password checked on the verifier's thread; or, with no users file, any client on a
// loopback address, known as "loopback".
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "auth/credentials.h"
#include "auth/password_verifier.h"
#include "web/http_exchange.h"

namespace ts {

struct BasicCredentials {
  std::string user;
  std::string password;
};

// "Basic base64(user:password)" (RFC 7617); nullopt for anything else.
std::optional<BasicCredentials> parseBasicAuthorization(std::string_view header);

class StaffAuth {
 public:
  using Admitted = std::function<void(std::string user)>;
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  StaffAuth(auth::PasswordVerifier& verifier, Clock clock);

  // Calls admitted with the user's name, or answers the request itself: 401 asking for
  // credentials, 403 for a client off loopback when there is no users file.
  void admit(const HttpRequest& request, std::shared_ptr<const auth::Credentials> users,
             const HttpReply& reply, Admitted admitted);

 private:
  // A browser sends the same credentials with every request: a match is remembered for
  // a few minutes (by a digest, never the password) so each page does not cost a hash.
  std::string digestOf(const BasicCredentials& credentials, const std::string& hash) const;
  bool remembered(const std::string& digest);
  void remember(std::string digest);

  auth::PasswordVerifier& verifier_;
  Clock clock_;
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> recent_;
  // The verifier answers later: held weakly there, so an answer after the web pages
  // were switched off by a reload does nothing.
  std::shared_ptr<StaffAuth*> self_ = std::make_shared<StaffAuth*>(this);
};

}  // namespace ts
