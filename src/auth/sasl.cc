// OpenSSL's EVP_DecodeBlock does the decoding; it accepts spaces and does not report the
// padding, so the input is checked against the alphabet first and the padding removed
// from its length after.
#include "auth/sasl.h"

#include <openssl/evp.h>

#include "util/ascii.h"

namespace ts::auth {
namespace {

bool isBase64Char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

bool hasNul(std::string_view s) {
  return s.find('\0') != std::string_view::npos;
}

}  // namespace

Result<AuthCommand, SaslError> parseAuthCommand(std::string_view argument) {
  std::size_t space = argument.find(' ');
  std::string_view name = argument.substr(0, space);
  if (name.empty()) return fail(SaslError::kSyntax);
  AuthCommand cmd;
  if (asciiEqualsIgnoreCase(name, "PLAIN")) {
    cmd.mechanism = Mechanism::kPlain;
  } else if (asciiEqualsIgnoreCase(name, "LOGIN")) {
    cmd.mechanism = Mechanism::kLogin;
  } else {
    return fail(SaslError::kUnknownMechanism);
  }
  if (space == std::string_view::npos) return cmd;
  std::string_view response = argument.substr(space + 1);
  if (response.empty() || response.find(' ') != std::string_view::npos) {
    return fail(SaslError::kSyntax);
  }
  cmd.initial_response = response;
  return cmd;
}

Result<std::string, SaslError> decodeBase64(std::string_view text) {
  if (text == "=") return std::string();
  if (text.empty() || text.size() % 4 != 0) return fail(SaslError::kBadBase64);
  std::size_t padding = 0;
  if (text.back() == '=') ++padding;
  if (text[text.size() - 2] == '=') ++padding;
  if (padding == 1 && text[text.size() - 2] == '=') return fail(SaslError::kBadBase64);
  for (std::size_t i = 0; i + padding < text.size(); ++i) {
    if (!isBase64Char(text[i])) return fail(SaslError::kBadBase64);
  }
  std::string out(text.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return fail(SaslError::kBadBase64);
  out.resize(static_cast<std::size_t>(n) - padding);
  return out;
}

Result<UserPassword, SaslError> decodePlain(std::string_view base64) {
  auto decoded = decodeBase64(base64);
  if (!decoded) return fail(decoded.error());
  std::string_view all = *decoded;
  std::size_t first = all.find('\0');
  if (first == std::string_view::npos) return fail(SaslError::kMalformed);
  std::size_t second = all.find('\0', first + 1);
  if (second == std::string_view::npos) return fail(SaslError::kMalformed);
  std::string_view authzid = all.substr(0, first);
  std::string_view user = all.substr(first + 1, second - first - 1);
  std::string_view password = all.substr(second + 1);
  if (user.empty() || hasNul(password)) return fail(SaslError::kMalformed);
  if (!authzid.empty() && authzid != user) return fail(SaslError::kOtherAuthorization);
  return UserPassword{std::string(user), std::string(password)};
}

Result<std::string, SaslError> decodeLoginField(std::string_view base64) {
  auto decoded = decodeBase64(base64);
  if (!decoded) return fail(decoded.error());
  if (hasNul(*decoded)) return fail(SaslError::kMalformed);
  return decoded;
}

}  // namespace ts::auth
