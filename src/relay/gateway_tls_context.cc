// The name is checked by OpenSSL during the handshake (X509_VERIFY_PARAM), so a wrong name
// fails the handshake like a wrong CA. With may and encrypt the check still runs and only
// its result is logged: SSL_VERIFY_NONE keeps the handshake going.
#include "relay/gateway_tls_context.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "net/openssl_errors.h"

namespace ts {

Result<std::shared_ptr<const GatewayTlsContext>> GatewayTlsContext::create(
    GatewayTlsLevel level, const std::string& ca_file, const std::string& name) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (!ctx) return fail("cannot make a TLS context: " + takeOpensslErrors());
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  bool loaded = true;
  if (!ca_file.empty()) {
    loaded = SSL_CTX_load_verify_file(ctx, ca_file.c_str()) == 1;
  } else if (level == GatewayTlsLevel::kVerify) {
    loaded = SSL_CTX_set_default_verify_paths(ctx) == 1;
  }
  if (!loaded) {
    std::string why = takeOpensslErrors();
    SSL_CTX_free(ctx);
    return fail("gateway_tls_ca_file: cannot load '" + ca_file + "': " + why);
  }
  X509_VERIFY_PARAM* param = SSL_CTX_get0_param(ctx);
  bool is_address = X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str()) == 1;
  if (!is_address) {
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size()) != 1) {
      SSL_CTX_free(ctx);
      return fail("gateway_tls_name: '" + name + "' is not a usable name");
    }
  }
  SSL_CTX_set_verify(ctx, level == GatewayTlsLevel::kVerify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE,
                     nullptr);
  ERR_clear_error();
  return std::shared_ptr<const GatewayTlsContext>(
      new GatewayTlsContext(ctx, level, name, is_address));
}

GatewayTlsContext::~GatewayTlsContext() {
  SSL_CTX_free(ctx_);
}

SSL* GatewayTlsContext::newSsl() const {
  SSL* ssl = SSL_new(ctx_);
  if (ssl && !name_is_address_) SSL_set_tlsext_host_name(ssl, name_.c_str());
  return ssl;
}

std::string GatewayTlsContext::certificateRefusal(const SSL* ssl) const {
  if (level_ != GatewayTlsLevel::kVerify) return "";
  long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK) {
    return "the gateway's certificate failed verification for the name '" + name_ +
           "' (gateway_tls_ca_file, gateway_tls_name): " + X509_verify_cert_error_string(verify);
  }
  if (SSL_is_init_finished(ssl) && SSL_get0_peer_certificate(ssl) == nullptr) {
    return "the gateway sent no certificate";
  }
  return "";
}

std::string GatewayTlsContext::verifiedText(const SSL* ssl) {
  if (SSL_get0_peer_certificate(ssl) == nullptr) return "no (no certificate)";
  long verify = SSL_get_verify_result(ssl);
  if (verify == X509_V_OK) return "yes";
  return std::string("no (") + X509_verify_cert_error_string(verify) + ")";
}

}  // namespace ts
