// The SMTP AUTH key (STYLE.md 6): the file of users allowed to authenticate. Empty: AUTH
// is not offered. AUTH is only ever offered inside TLS, so it needs the TLS keys too.
#pragma once

#include <span>
#include <string>

namespace ts {

struct ConfigKey;

struct AuthConfig {
  std::string users_file;  // "user:crypt-hash" lines

  bool enabled() const { return !users_file.empty(); }
};

std::span<const ConfigKey> authConfigKeys();

}  // namespace ts
