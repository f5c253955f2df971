// Every file is read before any is used, so a reload takes all of them or none.
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
  if (config.web.tls.enabled()) {
    auto tls = TlsServerContext::load(config.web.tls);
    if (!tls) return fail("web_tls_certificate: " + tls.error().message);
    security.web_tls = std::move(*tls);
  }
  if (!config.web.staff_users_file.empty()) {
    auto users = auth::Credentials::load(config.web.staff_users_file);
    if (!users) return fail("web_staff_users_file: " + users.error().message);
    security.staff_users = std::move(*users);
  }
  return security;
}

}  // namespace ts
