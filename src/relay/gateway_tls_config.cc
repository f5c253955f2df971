// The gateway_tls* keys. The context they describe is built by loadConfig once every key
// is in, because it needs the level, the CA file, the name and the gateway address at once.
#include "relay/gateway_tls_config.h"

#include <array>

#include "config/config_table.h"
#include "config/key_setters.h"

namespace ts {
namespace {

constexpr std::array kLevelNames = {
    std::pair{GatewayTlsLevel::kNone, std::string_view("none")},
    std::pair{GatewayTlsLevel::kMay, std::string_view("may")},
    std::pair{GatewayTlsLevel::kEncrypt, std::string_view("encrypt")},
    std::pair{GatewayTlsLevel::kVerify, std::string_view("verify")},
};

Status<> setLevel(Config& c, const std::vector<std::string>& values) {
  auto v = singleValue(values);
  if (!v) return fail(v.error());
  auto level = parseGatewayTlsLevel(*v);
  if (!level) return fail(level.error());
  c.gateway_tls.level = *level;
  return Ok{};
}

Status<> setCaFile(Config& c, const std::vector<std::string>& values) {
  return assignText(c.gateway_tls.ca_file, values);
}

Status<> setName(Config& c, const std::vector<std::string>& values) {
  auto v = singleValue(values);
  if (!v) return fail(v.error());
  if (v->find_first_of(" \t/@") != std::string::npos) {
    return fail("'" + *v + "' is not a host name or address literal");
  }
  c.gateway_tls.name = *v;
  return Ok{};
}

constexpr std::array kKeys = {
    ConfigKey{"gateway_tls", "may", "level",
              "STARTTLS to the gateway: none; may (when offered, certificate not checked); "
              "encrypt (required, not checked); verify (required, chain and name checked). "
              "With encrypt or verify a gateway without TLS defers mail (451 4.4.1) and "
              "`quarantine release` sends nothing.",
              false, setLevel},
    ConfigKey{"gateway_tls_ca_file", "", "path",
              "PEM file of the CAs that may sign the gateway's certificate (gateway_tls = "
              "verify); empty: the system's trusted CAs.",
              false, setCaFile},
    ConfigKey{"gateway_tls_name", "", "name",
              "The name (or address) the gateway's certificate must carry with gateway_tls = "
              "verify, also sent as SNI when it is a name; empty: the gateway's address.",
              false, setName},
};

}  // namespace

Result<GatewayTlsLevel> parseGatewayTlsLevel(std::string_view text) {
  for (const auto& [level, name] : kLevelNames) {
    if (text == name) return level;
  }
  return fail("'" + std::string(text) + "' is not a TLS level (none, may, encrypt or verify)");
}

std::string_view gatewayTlsLevelName(GatewayTlsLevel level) {
  for (const auto& [l, name] : kLevelNames) {
    if (l == level) return name;
  }
  return "?";
}

std::span<const ConfigKey> gatewayTlsConfigKeys() {
  return kKeys;
}

}  // namespace ts
