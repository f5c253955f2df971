// The certificate and users files are read by the daemon at start and on reload
// (daemon/session_security), not here: the table only records where they are.
#include "web/web_config.h"

#include <array>

#include "config/config_table.h"
#include "config/key_setters.h"

namespace ts {
namespace {

Status<> setListen(Config& c, const std::vector<std::string>& values) {
  return assignOptionalAddress(c.web.listen, values);
}

template <std::string TlsConfig::*Field>
Status<> setTlsFile(Config& c, const std::vector<std::string>& values) {
  return assignText(c.web.tls.*Field, values);
}

Status<> setStaffUsers(Config& c, const std::vector<std::string>& values) {
  return assignText(c.web.staff_users_file, values);
}

Status<> setWhyRate(Config& c, const std::vector<std::string>& values) {
  return assignCount(c.web.why_rate, values, 1, 100000);
}

constexpr std::array kKeys = {
    ConfigKey{"web_listen", "", "address:port",
              "Where to serve the web pages over HTTP(S): the public /why page (a sender's "
              "admin pastes a reference id and reads the reason and the fix) and the staff "
              "dashboard under /staff. Empty: off.",
              false, setListen},
    ConfigKey{"web_tls_certificate", "", "path",
              "PEM certificate (then its chain) for the web pages; set: HTTPS only. Read again "
              "on reload.",
              false, setTlsFile<&TlsConfig::certificate>},
    ConfigKey{"web_tls_key", "", "path", "PEM private key of web_tls_certificate.", false,
              setTlsFile<&TlsConfig::key>},
    ConfigKey{"web_staff_users_file", "", "path",
              "File of 'user:hash' lines (crypt(3) hashes, as auth_users_file) allowed into the "
              "staff dashboard with HTTP basic auth. Empty: the dashboard answers clients on a "
              "loopback address only. Read again on reload.",
              false, setStaffUsers},
    ConfigKey{"web_why_rate", "20", "count",
              "Reference id lookups on /why per minute per client address; more get HTTP 429.",
              false, setWhyRate},
};

}  // namespace

std::span<const ConfigKey> webConfigKeys() {
  return kKeys;
}

}  // namespace ts
