// The request's parts: the form body as Twilio reads it, the Basic auth value, the path, and
// the URL and CA checks of the endpoint.
#include "relay/sms_api_request.h"

#include <gtest/gtest.h>

#include "relay/sms_api_endpoint.h"

namespace ts {
namespace {

TEST(SmsApiFormBody, EncodesReservedBytesSpacesAndUtf8) {
  EXPECT_EQ(formEncode({{"Body", "a b&c=d+e"}}), "Body=a+b%26c%3Dd%2Be");
  EXPECT_EQ(formEncode({{"Body", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"}}),
            "Body=caf%C3%A9+%E2%82%AC+%F0%9F%98%80");
  EXPECT_EQ(formEncode({{"Body", "line1\nline2\r%"}}), "Body=line1%0Aline2%0D%25");
  EXPECT_EQ(formEncode({{"Body", "keep-._~AZaz09"}}), "Body=keep-._~AZaz09");
  EXPECT_EQ(formEncode({{"Body", ""}}), "Body=");
  EXPECT_EQ(formEncode({{"A", "1"}, {"B", "2"}}), "A=1&B=2");
}

TEST(SmsApiFormBody, ToThenFromOrServiceThenBody) {
  EXPECT_EQ(smsApiFormBody("+14155551212", "+15005550006", "", "Hi there"),
            "To=%2B14155551212&From=%2B15005550006&Body=Hi+there");
  EXPECT_EQ(smsApiFormBody("+14155551212", "", "MG0123", "x"),
            "To=%2B14155551212&MessagingServiceSid=MG0123&Body=x");
  EXPECT_EQ(smsApiFormBody("+1", "ACME Ltd", "", "x"), "To=%2B1&From=ACME+Ltd&Body=x");
}

TEST(SmsApiBasicAuth, IsBase64OfSidColonToken) {
  // RFC 7617's example: Aladdin / open sesame.
  EXPECT_EQ(basicAuthorization({"Aladdin", "open sesame"}), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  EXPECT_EQ(basicAuthorization({"AC1", "t"}), "Basic QUMxOnQ=");
  EXPECT_EQ(basicAuthorization({"AC12", "t"}), "Basic QUMxMjp0");
}

TEST(SmsApiPath, MessagesResourceUnderTheBasePath) {
  EXPECT_EQ(smsApiMessagesPath("", "AC1"), "/2010-04-01/Accounts/AC1/Messages.json");
  EXPECT_EQ(smsApiMessagesPath("/", "AC1"), "/2010-04-01/Accounts/AC1/Messages.json");
  EXPECT_EQ(smsApiMessagesPath("/proxy/", "AC1"), "/proxy/2010-04-01/Accounts/AC1/Messages.json");
}

SmsApiSettings settingsFor(const std::string& url) {
  SmsApiSettings s;
  s.url = url;
  s.from = "+15005550006";
  s.timeout = std::chrono::seconds(15);
  s.credentials = {"AC1", "Zq9-secret"};
  return s;
}

TEST(SmsApiEndpoint, NameHostDefaultsToPort443) {
  auto endpoint = SmsApiEndpoint::create(settingsFor("https://api.twilio.com"));
  ASSERT_TRUE(endpoint.ok()) << endpoint.error().message;
  EXPECT_EQ((*endpoint)->host(), "api.twilio.com");
  EXPECT_FALSE((*endpoint)->hostIsAddress());
  EXPECT_EQ((*endpoint)->port(), 443);
  EXPECT_EQ((*endpoint)->hostHeader(), "api.twilio.com");
  EXPECT_EQ((*endpoint)->path(), "/2010-04-01/Accounts/AC1/Messages.json");
  EXPECT_EQ((*endpoint)->authorization(), "Basic QUMxOlpxOS1zZWNyZXQ=");
  EXPECT_EQ((*endpoint)->formBody("+1", "hi"), "To=%2B1&From=%2B15005550006&Body=hi");
  SSL* ssl = (*endpoint)->newSsl();
  ASSERT_NE(ssl, nullptr);
  EXPECT_STREQ(SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name), "api.twilio.com");
  EXPECT_EQ(SSL_get_verify_mode(ssl) & SSL_VERIFY_PEER, SSL_VERIFY_PEER);
  SSL_free(ssl);
}

TEST(SmsApiEndpoint, AddressLiteralsWithPortAndPath) {
  auto v4 = SmsApiEndpoint::create(settingsFor("https://127.0.0.1:8443/base/"));
  ASSERT_TRUE(v4.ok()) << v4.error().message;
  EXPECT_EQ((*v4)->host(), "127.0.0.1");
  EXPECT_TRUE((*v4)->hostIsAddress());
  EXPECT_EQ((*v4)->port(), 8443);
  EXPECT_EQ((*v4)->hostHeader(), "127.0.0.1:8443");
  EXPECT_EQ((*v4)->path(), "/base/2010-04-01/Accounts/AC1/Messages.json");
  SSL* ssl = (*v4)->newSsl();
  ASSERT_NE(ssl, nullptr);
  EXPECT_EQ(SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name), nullptr) << "no SNI for an IP";
  SSL_free(ssl);

  auto v6 = SmsApiEndpoint::create(settingsFor("https://[::1]:8443"));
  ASSERT_TRUE(v6.ok()) << v6.error().message;
  EXPECT_EQ((*v6)->host(), "::1");
  EXPECT_TRUE((*v6)->hostIsAddress());
  EXPECT_EQ((*v6)->hostHeader(), "[::1]:8443");
}

TEST(SmsApiEndpoint, RefusesWhatIsNotAnHttpsBase) {
  struct Case {
    std::string url;
    std::string expected;
  };
  const Case cases[] = {
      {"http://api.twilio.com", "is not https"},
      {"api.twilio.com", "is not https"},
      {"ftp://x", "is not https"},
      {"https://", "must be https://host"},
      {"https://user:pw@api.twilio.com", "must be https://host"},
      {"https://api.twilio.com/?x=1", "must be https://host"},
      {"https://api.twilio.com/#top", "must be https://host"},
      {"https://api.twilio.com:0", "must be https://host"},
      {"https://bad host", "sms_api_url"},
  };
  for (const Case& c : cases) {
    auto endpoint = SmsApiEndpoint::create(settingsFor(c.url));
    ASSERT_FALSE(endpoint.ok()) << c.url;
    EXPECT_NE(endpoint.error().message.find(c.expected), std::string::npos)
        << c.url << ": " << endpoint.error().message;
    EXPECT_EQ(endpoint.error().message.find("Zq9-secret"), std::string::npos) << c.url;
  }
}

TEST(SmsApiEndpoint, UnreadableCaFileNamesTheKey) {
  SmsApiSettings s = settingsFor("https://127.0.0.1:8443");
  s.ca_file = "/nonexistent/ca.pem";
  auto endpoint = SmsApiEndpoint::create(s);
  ASSERT_FALSE(endpoint.ok());
  EXPECT_NE(endpoint.error().message.find("sms_api_ca_file: cannot load '/nonexistent/ca.pem'"),
            std::string::npos)
      << endpoint.error().message;
}

}  // namespace
}  // namespace ts
