// The users file is read by the daemon at start and on reload (auth/credentials), not
// here: the config table only records where it is.
#include "auth/auth_config.h"

#include <array>

#include "config/config_table.h"
#include "config/key_setters.h"

namespace ts {
namespace {

Status<> setUsersFile(Config& c, const std::vector<std::string>& values) {
  return assignText(c.auth.users_file, values);
}

constexpr std::array kKeys = {
    ConfigKey{"auth_users_file", "", "path",
              "File of 'user:hash' lines (crypt(3) hashes: yescrypt $y$ or SHA-512 $6$) allowed "
              "SMTP AUTH PLAIN and LOGIN after STARTTLS; an authenticated client skips the "
              "screening checks like trusted_networks. Empty: AUTH is not offered. Read again "
              "on reload.",
              false, setUsersFile},
};

}  // namespace

std::span<const ConfigKey> authConfigKeys() {
  return kKeys;
}

}  // namespace ts
