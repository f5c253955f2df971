// TLS 1.2 is the floor and is not a key: older versions are broken, and every MTA that
// offers STARTTLS today speaks 1.2.
#include "net/tls_config.h"

#include <array>

#include "config/config_table.h"
#include "config/key_setters.h"

namespace ts {
namespace {

template <std::string TlsConfig::*Field>
Status<> setText(Config& c, const std::vector<std::string>& values) {
  return assignText(c.tls.*Field, values);
}

constexpr std::array kKeys = {
    ConfigKey{"tls_certificate", "", "path",
              "PEM file of the server certificate (then its chain) for STARTTLS; empty (with "
              "tls_key): STARTTLS is not offered. Read again on reload.",
              false, setText<&TlsConfig::certificate>},
    ConfigKey{"tls_key", "", "path", "PEM file of the private key of tls_certificate.", false,
              setText<&TlsConfig::key>},
    ConfigKey{"tls_ciphers", "", "list",
              "OpenSSL cipher list for TLS 1.2 (TLS 1.3 suites are OpenSSL's); empty: OpenSSL's "
              "default. TLS 1.2 is the lowest version accepted.",
              false, setText<&TlsConfig::ciphers>},
};

}  // namespace

std::span<const ConfigKey> tlsConfigKeys() {
  return kKeys;
}

}  // namespace ts
