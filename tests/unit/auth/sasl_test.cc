// What a client sends for AUTH: the command's mechanism and initial response, strict
// base64, and the PLAIN and LOGIN responses, including every way they can be malformed.
#include "auth/sasl.h"

#include <gtest/gtest.h>

namespace ts::auth {
namespace {

using namespace std::string_literals;

TEST(Sasl, AuthCommand) {
  auto plain = parseAuthCommand("PLAIN");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->mechanism, Mechanism::kPlain);
  EXPECT_FALSE(plain->initial_response.has_value());

  auto with_response = parseAuthCommand("plain AGFsaWNlAHNlY3JldA==");
  ASSERT_TRUE(with_response.ok());
  EXPECT_EQ(with_response->mechanism, Mechanism::kPlain);
  EXPECT_EQ(with_response->initial_response.value(), "AGFsaWNlAHNlY3JldA==");

  auto login = parseAuthCommand("Login YWxpY2U=");
  ASSERT_TRUE(login.ok());
  EXPECT_EQ(login->mechanism, Mechanism::kLogin);
  EXPECT_EQ(login->initial_response.value(), "YWxpY2U=");

  EXPECT_EQ(parseAuthCommand("").error(), SaslError::kSyntax);
  EXPECT_EQ(parseAuthCommand("PLAIN ").error(), SaslError::kSyntax);
  EXPECT_EQ(parseAuthCommand("PLAIN a b").error(), SaslError::kSyntax);
  EXPECT_EQ(parseAuthCommand("CRAM-MD5").error(), SaslError::kUnknownMechanism);
  EXPECT_EQ(parseAuthCommand("GSSAPI abc").error(), SaslError::kUnknownMechanism);
}

TEST(Sasl, Base64) {
  EXPECT_EQ(decodeBase64("YWxpY2U=").value(), "alice");
  EXPECT_EQ(decodeBase64("YWxp").value(), "ali");
  EXPECT_EQ(decodeBase64("YWw=").value(), "al");
  EXPECT_EQ(decodeBase64("YQ==").value(), "a");
  EXPECT_EQ(decodeBase64("AGFsaWNlAHNlY3JldA==").value(), "\0alice\0secret"s);
  EXPECT_EQ(decodeBase64("=").value(), "") << "RFC 4954's empty response";
  EXPECT_EQ(decodeBase64("+/+/").value(), "\xfb\xff\xbf"s);
  for (const char* bad : {"", "YWxpY2U", "YWxpY2U==", "YW=p", "Y===", "YWxp Y2U=", " YWxp", "YWx\r",
                          "YW-_", "====", "YQ=A"}) {
    EXPECT_EQ(decodeBase64(bad).error(), SaslError::kBadBase64) << bad;
  }
}

TEST(Sasl, Plain) {
  auto bare = decodePlain("AGFsaWNlAHNlY3JldA==");  // "\0alice\0secret"
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->user, "alice");
  EXPECT_EQ(bare->password, "secret");

  auto own_authzid = decodePlain("YWxpY2UAYWxpY2UAc2VjcmV0");  // "alice\0alice\0secret"
  ASSERT_TRUE(own_authzid.ok());
  EXPECT_EQ(own_authzid->user, "alice");

  auto empty_password = decodePlain("AGFsaWNlAA==");  // "\0alice\0"
  ASSERT_TRUE(empty_password.ok());
  EXPECT_EQ(empty_password->password, "");

  // "bob\0alice\0secret": alice asking to act as bob.
  EXPECT_EQ(decodePlain("Ym9iAGFsaWNlAHNlY3JldA==").error(), SaslError::kOtherAuthorization);
  EXPECT_EQ(decodePlain("YWxpY2U=").error(), SaslError::kMalformed);      // "alice"
  EXPECT_EQ(decodePlain("AGFsaWNl").error(), SaslError::kMalformed);      // "\0alice"
  EXPECT_EQ(decodePlain("AABzZWNyZXQ=").error(), SaslError::kMalformed);  // "\0\0secret"
  EXPECT_EQ(decodePlain("AGEAYgBj").error(), SaslError::kMalformed);      // "\0a\0b\0c"
  EXPECT_EQ(decodePlain("not base64!").error(), SaslError::kBadBase64);
}

TEST(Sasl, LoginField) {
  EXPECT_EQ(decodeLoginField("YWxpY2U=").value(), "alice");
  EXPECT_EQ(decodeLoginField("=").value(), "");
  EXPECT_EQ(decodeLoginField("YQBi").error(), SaslError::kMalformed);  // "a\0b"
  EXPECT_EQ(decodeLoginField("YWxpY2U").error(), SaslError::kBadBase64);
}

}  // namespace
}  // namespace ts::auth
