// Both files are read before either is used, so a reload either takes both or neither.
#include "daemon/session_security.h"

namespace ts {

Result<SessionSecurity> loadSessionSecurity(const Config& config) {
  SessionSecurity security;
  if (config.tls.enabled()) {
    auto tls = TlsServerContext::load(config.tls);
    if (!tls) return fail(tls.error());
    security.tls = std::move(*tls);
  }
  if (config.auth.enabled()) {
    auto users = auth::Credentials::load(config.auth.users_file);
    if (!users) return fail(users.error());
    security.users = std::move(*users);
  }
  return security;
}

}  // namespace ts
