// Session resumption is left to OpenSSL's defaults (tickets): a resumed SMTP session is
// rare and costs nothing to support. Renegotiation is off: it only gives a client a way
// to make the server do expensive handshakes.
#include "net/tls_server_context.h"

#include <openssl/err.h>

#include "net/openssl_errors.h"
#include "net/tls_config.h"

namespace ts {

Result<std::shared_ptr<const TlsServerContext>> TlsServerContext::load(const TlsConfig& config) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (!ctx) return fail("cannot create a TLS context: " + takeOpensslErrors());
  std::shared_ptr<const TlsServerContext> context(new TlsServerContext(ctx));
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // Idle sessions are most of a busy MX's connections: their buffers go back to the heap.
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  if (SSL_CTX_use_certificate_chain_file(ctx, config.certificate.c_str()) != 1) {
    return fail("tls_certificate " + config.certificate + ": " + takeOpensslErrors());
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, config.key.c_str(), SSL_FILETYPE_PEM) != 1) {
    return fail("tls_key " + config.key + ": " + takeOpensslErrors());
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return fail("tls_key " + config.key + " does not belong to tls_certificate " +
                config.certificate + ": " + takeOpensslErrors());
  }
  if (!config.ciphers.empty() && SSL_CTX_set_cipher_list(ctx, config.ciphers.c_str()) != 1) {
    return fail("tls_ciphers '" + config.ciphers + "': " + takeOpensslErrors());
  }
  return context;
}

TlsServerContext::~TlsServerContext() {
  SSL_CTX_free(ctx_);
}

SSL* TlsServerContext::newConnection() const {
  return SSL_new(ctx_);
}

}  // namespace ts
