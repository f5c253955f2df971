// The users allowed SMTP AUTH: names and crypt(3) hashes read from auth_users_file. Only
// hashes are ever stored; the password check itself runs on auth/password_verifier.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "util/result.h"

namespace ts::auth {

class Credentials {
 public:
  // "user:hash" lines; blank lines and lines starting with '#' are skipped. A hash must be
  // one libcrypt computes and does not call legacy (yescrypt, SHA-512, SHA-256, bcrypt).
  // The error names the line.
  static Result<Credentials> parse(std::string_view text);
  static Result<std::shared_ptr<const Credentials>> load(const std::string& path);

  // The user's hash, or null for an unknown user.
  const std::string* hashFor(std::string_view user) const;
  // A hash to verify against when the user is unknown, so that answer takes about as long
  // as a wrong password (a user's own hash: the cost of the file's method).
  const std::string& decoyHash() const { return decoy_; }
  std::size_t size() const { return users_.size(); }

 private:
  std::unordered_map<std::string, std::string> users_;
  std::string decoy_;
};

}  // namespace ts::auth
