// A wrong password and an unknown user take the same path through the verifier (the
// decoy hash), so the answer's timing does not tell which users exist.
#include "web/staff_auth.h"

#include <openssl/evp.h>

#include "auth/sasl.h"
#include "obs/log.h"
#include "util/ascii.h"
#include "web/html.h"

namespace ts {
namespace {

constexpr std::chrono::minutes kRememberFor{5};
constexpr std::size_t kMaxRemembered = 256;

HttpResponse askForCredentials() {
  HttpResponse response = errorPage(
      401, "Sign in", "The staff dashboard needs your textscreen staff user and password.");
  response.headers.emplace_back("WWW-Authenticate",
                                R"(Basic realm="textscreen staff", charset="UTF-8")");
  return response;
}

}  // namespace

std::optional<BasicCredentials> parseBasicAuthorization(std::string_view header) {
  constexpr std::string_view kScheme = "basic ";
  if (header.size() <= kScheme.size() ||
      !asciiEqualsIgnoreCase(header.substr(0, kScheme.size()), kScheme)) {
    return std::nullopt;
  }
  std::string_view encoded = header.substr(kScheme.size());
  while (!encoded.empty() && encoded.front() == ' ') encoded.remove_prefix(1);
  auto decoded = auth::decodeBase64(encoded);
  if (!decoded) return std::nullopt;
  std::size_t colon = decoded->find(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  if (decoded->find('\0') != std::string::npos) return std::nullopt;
  return BasicCredentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

StaffAuth::StaffAuth(auth::PasswordVerifier& verifier, Clock clock)
    : verifier_(verifier), clock_(std::move(clock)) {}

void StaffAuth::admit(const HttpRequest& request, std::shared_ptr<const auth::Credentials> users,
                      const HttpReply& reply, Admitted admitted) {
  if (!users) {
    if (request.peer.isLoopback()) {
      admitted("loopback");
      return;
    }
    reply(errorPage(403, "Staff only",
                    "The staff dashboard answers only on this host (web_staff_users_file is not "
                    "set); sign in from the host, or ask the operator to configure staff users."));
    return;
  }
  std::optional<BasicCredentials> credentials = parseBasicAuthorization(request.authorization);
  if (!credentials) {
    reply(askForCredentials());
    return;
  }
  const std::string* hash = users->hashFor(credentials->user);
  std::string digest = digestOf(*credentials, hash ? *hash : users->decoyHash());
  if (hash && remembered(digest)) {
    admitted(credentials->user);
    return;
  }
  std::string user = credentials->user;
  std::string peer = request.peer.host();
  bool known = hash != nullptr;
  std::weak_ptr<StaffAuth*> self = self_;
  verifier_.verify(hash ? *hash : users->decoyHash(), std::move(credentials->password),
                   [self, known, user, peer, digest, reply, admitted](bool matches) {
                     std::shared_ptr<StaffAuth*> alive = self.lock();
                     if (!alive) return;
                     if (!known || !matches) {
                       LogLine("-")
                           .kv("event", "web")
                           .kv("action", "sign-in")
                           .kv("user", user)
                           .kv("client", peer)
                           .kv("result", "refused");
                       reply(askForCredentials());
                       return;
                     }
                     (*alive)->remember(digest);
                     admitted(user);
                   });
}

std::string StaffAuth::digestOf(const BasicCredentials& credentials,
                                const std::string& hash) const {
  std::string material = credentials.user + '\0' + credentials.password + '\0' + hash;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(material.data(), material.size(), digest, &length, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

bool StaffAuth::remembered(const std::string& digest) {
  auto it = recent_.find(digest);
  if (it == recent_.end()) return false;
  if (clock_() - it->second > kRememberFor) {
    recent_.erase(it);
    return false;
  }
  return true;
}

void StaffAuth::remember(std::string digest) {
  if (recent_.size() >= kMaxRemembered) recent_.clear();
  recent_[std::move(digest)] = clock_();
}

}  // namespace ts
