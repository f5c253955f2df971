// The gateway_tls* keys: the four levels by name, the context built from them when the
// configuration loads (none builds none), the name to verify defaulting to the gateway's
// address, and a CA file that cannot be read failing the load with the key's name.
#include "relay/gateway_tls_config.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "config/config.h"
#include "relay/gateway_tls_context.h"
#include "unit/config_file.h"

namespace ts {
namespace {

using ts::testing::loadWith;

// A self-signed certificate as PEM, to stand for a CA file.
std::string selfSignedPem() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("test CA"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509_sign(cert, key, EVP_sha256());
  BIO* out = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(out, cert);
  char* data = nullptr;
  long len = BIO_get_mem_data(out, &data);
  std::string pem(data, static_cast<std::size_t>(len));
  BIO_free(out);
  X509_free(cert);
  EVP_PKEY_free(key);
  return pem;
}

class TempFile {
 public:
  explicit TempFile(const std::string& text)
      : path_(std::filesystem::temp_directory_path() /
              ("textscreen-tls-" + std::to_string(::getpid()) + ".pem")) {
    std::ofstream(path_) << text;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

TEST(GatewayTlsLevel, Names) {
  const std::pair<const char*, GatewayTlsLevel> cases[] = {
      {"none", GatewayTlsLevel::kNone},
      {"may", GatewayTlsLevel::kMay},
      {"encrypt", GatewayTlsLevel::kEncrypt},
      {"verify", GatewayTlsLevel::kVerify},
  };
  for (const auto& [text, level] : cases) {
    auto parsed = parseGatewayTlsLevel(text);
    ASSERT_TRUE(parsed.ok()) << text;
    EXPECT_EQ(*parsed, level);
    EXPECT_EQ(gatewayTlsLevelName(level), text);
  }
  for (const char* bad : {"", "yes", "secure", "dane", "Verify"}) {
    auto parsed = parseGatewayTlsLevel(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_NE(parsed.error().message.find("none, may, encrypt or verify"), std::string::npos);
  }
}

TEST(GatewayTlsConfig, DefaultIsMayAgainstTheGatewayAddress) {
  auto c = loadWith("gateway = 127.0.0.1:2526\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->gateway_tls.level, GatewayTlsLevel::kMay);
  ASSERT_NE(c->gateway_tls.context, nullptr);
  EXPECT_EQ(c->gateway_tls.context->level(), GatewayTlsLevel::kMay);
  EXPECT_FALSE(c->gateway_tls.context->required());
  EXPECT_EQ(c->gateway_tls.context->name(), "127.0.0.1");
}

TEST(GatewayTlsConfig, NoneBuildsNoContext) {
  auto c = loadWith("gateway_tls = none\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->gateway_tls.level, GatewayTlsLevel::kNone);
  EXPECT_EQ(c->gateway_tls.context, nullptr);
}

TEST(GatewayTlsConfig, EncryptIsRequiredAndNeedsNoCaFile) {
  auto c = loadWith("gateway_tls = encrypt\ngateway = [::1]:2526\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_NE(c->gateway_tls.context, nullptr);
  EXPECT_TRUE(c->gateway_tls.context->required());
  EXPECT_EQ(c->gateway_tls.context->name(), "::1");
}

TEST(GatewayTlsConfig, VerifyWithCaFileAndName) {
  TempFile ca(selfSignedPem());
  auto c = loadWith("gateway_tls = verify\ngateway_tls_ca_file = " + ca.path() +
                    "\ngateway_tls_name = gateway.carrier.example\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->gateway_tls.ca_file, ca.path());
  ASSERT_NE(c->gateway_tls.context, nullptr);
  EXPECT_TRUE(c->gateway_tls.context->required());
  EXPECT_EQ(c->gateway_tls.context->name(), "gateway.carrier.example");
  SSL* ssl = c->gateway_tls.context->newSsl();
  ASSERT_NE(ssl, nullptr);
  EXPECT_STREQ(SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name), "gateway.carrier.example");
  SSL_free(ssl);
}

TEST(GatewayTlsConfig, NoSniForAnAddress) {
  auto c = loadWith("gateway_tls = encrypt\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  SSL* ssl = c->gateway_tls.context->newSsl();
  ASSERT_NE(ssl, nullptr);
  EXPECT_EQ(SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name), nullptr);
  SSL_free(ssl);
}

TEST(GatewayTlsConfig, BadValuesNameTheirKey) {
  TempFile not_pem("this is not a certificate\n");
  const std::pair<std::string, const char*> cases[] = {
      {"gateway_tls = yes\n", "gateway_tls"},
      {"gateway_tls = verify\ngateway_tls_ca_file = /nonexistent/ca.pem\n", "gateway_tls_ca_file"},
      {"gateway_tls = verify\ngateway_tls_ca_file = " + not_pem.path() + "\n",
       "gateway_tls_ca_file"},
      {"gateway_tls_name = two words\n", "gateway_tls_name"},
  };
  for (const auto& [text, key] : cases) {
    auto c = loadWith(text);
    ASSERT_FALSE(c.ok()) << text;
    EXPECT_NE(c.error().message.find(key), std::string::npos) << c.error().message;
  }
}

}  // namespace
}  // namespace ts
