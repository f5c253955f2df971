// The client side of STARTTLS to the carrier gateway: one SSL_CTX per configuration
// snapshot (TLS 1.2 at least; with gateway_tls = verify the chain and name are checked),
// and from it one SSL per connection.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "relay/gateway_tls_config.h"
#include "util/result.h"

namespace ts {

class GatewayTlsContext {
 public:
  // name: what the certificate must carry, a host name or an address literal. A CA file
  // is read when given (so may and encrypt can log whether the peer was verified);
  // without one, verify trusts the system's CAs.
  static Result<std::shared_ptr<const GatewayTlsContext>> create(GatewayTlsLevel level,
                                                                 const std::string& ca_file,
                                                                 const std::string& name);
  ~GatewayTlsContext();
  GatewayTlsContext(const GatewayTlsContext&) = delete;
  GatewayTlsContext& operator=(const GatewayTlsContext&) = delete;

  GatewayTlsLevel level() const { return level_; }
  // encrypt and verify: a connection without TLS must not carry mail.
  bool required() const {
    return level_ == GatewayTlsLevel::kEncrypt || level_ == GatewayTlsLevel::kVerify;
  }
  const std::string& name() const { return name_; }
  // A client SSL for one connection (SNI set when the name is not an address), or null
  // when OpenSSL cannot make one. The caller owns it.
  SSL* newSsl() const;
  // With verify, why the certificate ssl got is refused, or empty: after a handshake that
  // failed, tells a refused certificate from other failures; after one that succeeded,
  // also refuses a gateway that sent none. Empty for the other levels.
  std::string certificateRefusal(const SSL* ssl) const;
  // For the log: "yes", or "no (why)"; may and encrypt check too when given a CA file.
  static std::string verifiedText(const SSL* ssl);

 private:
  GatewayTlsContext(SSL_CTX* ctx, GatewayTlsLevel level, std::string name, bool name_is_address)
      : ctx_(ctx), level_(level), name_(std::move(name)), name_is_address_(name_is_address) {}

  SSL_CTX* ctx_;
  GatewayTlsLevel level_;
  std::string name_;
  bool name_is_address_;
};

}  // namespace ts
