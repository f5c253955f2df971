// The server side of STARTTLS: one OpenSSL context built from the certificate and key
// files, shared by every session of a configuration snapshot. A reload builds a new one,
// so a renewed certificate reaches new connections while old ones keep theirs.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "util/result.h"

namespace ts {

struct TlsConfig;

class TlsServerContext {
 public:
  // Reads the PEM certificate chain and key, checks they belong together and applies the
  // cipher list; the error names the file and OpenSSL's reason.
  static Result<std::shared_ptr<const TlsServerContext>> load(const TlsConfig& config);

  ~TlsServerContext();
  TlsServerContext(const TlsServerContext&) = delete;
  TlsServerContext& operator=(const TlsServerContext&) = delete;

  // A new server-side connection object, or null when OpenSSL cannot make one.
  SSL* newConnection() const;

 private:
  explicit TlsServerContext(SSL_CTX* ctx) : ctx_(ctx) {}
  SSL_CTX* ctx_;
};

}  // namespace ts
