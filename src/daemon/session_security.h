// What STARTTLS, AUTH and the web pages need besides the config keys: the TLS context and the
// users, read from their files. Loaded at start (a bad file is a configuration error) and on each
// reload (a bad file keeps the previous configuration), into the Runtime.
#pragma once

#include <memory>

#include "auth/credentials.h"
#include "config/config.h"
#include "net/tls_server_context.h"
#include "util/result.h"

namespace ts {

struct SessionSecurity {
  std::shared_ptr<const TlsServerContext> tls;     // null: STARTTLS not offered
  std::shared_ptr<const auth::Credentials> users;  // null: AUTH not offered
  // The web pages' HTTPS certificate (null: plain HTTP) and staff users (null: the
  // dashboard is for loopback clients only).
  std::shared_ptr<const TlsServerContext> web_tls;
  std::shared_ptr<const auth::Credentials> staff_users;
};

Result<SessionSecurity> loadSessionSecurity(const Config& config);

}  // namespace ts
