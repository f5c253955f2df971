// What the client sends for SMTP AUTH (RFC 4954): the AUTH command's mechanism and initial
// response, and the PLAIN (RFC 4616) and LOGIN responses, decoded from base64. Pure
// functions, so every malformed input is a unit test.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace ts::auth {

enum class Mechanism { kPlain, kLogin };

struct AuthCommand {
  Mechanism mechanism = Mechanism::kPlain;
  // The initial response as sent (still base64; "=" is an empty one), absent when the
  // client waits for the server's 334.
  std::optional<std::string_view> initial_response;
};

enum class SaslError {
  kSyntax,            // no mechanism, or more than a mechanism and a response
  kUnknownMechanism,  // not PLAIN or LOGIN
  kBadBase64,
  kMalformed,           // PLAIN without its two NULs, or a NUL in a name or password
  kOtherAuthorization,  // PLAIN asking to act as someone else (an authzid not the user's)
};

struct UserPassword {
  std::string user;
  std::string password;
};

Result<AuthCommand, SaslError> parseAuthCommand(std::string_view argument);
// Strict base64 (RFC 4648 section 4): padding required, no spaces or line breaks. "=" alone
// is the empty string, as RFC 4954 writes an empty initial response.
Result<std::string, SaslError> decodeBase64(std::string_view text);
// authzid NUL authcid NUL passwd. An authorization identity other than the user's own is
// refused: nobody may act for someone else here.
Result<UserPassword, SaslError> decodePlain(std::string_view base64);
// One LOGIN step: the user name or the password, each base64 on its own line.
Result<std::string, SaslError> decodeLoginField(std::string_view base64);

}  // namespace ts::auth
