// The gateway_tls* keys: whether textscreen's connections to the carrier gateway use
// STARTTLS, with Postfix's smtp_tls_security_level names (none, may, encrypt, verify).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "util/result.h"

namespace ts {

struct ConfigKey;
class GatewayTlsContext;

enum class GatewayTlsLevel {
  kNone,     // never STARTTLS
  kMay,      // STARTTLS when the gateway offers it, certificate not checked
  kEncrypt,  // STARTTLS or no relay, certificate not checked
  kVerify,   // STARTTLS or no relay, certificate chain and name verified
};

Result<GatewayTlsLevel> parseGatewayTlsLevel(std::string_view text);
std::string_view gatewayTlsLevelName(GatewayTlsLevel level);

struct GatewayTlsConfig {
  GatewayTlsLevel level = GatewayTlsLevel::kMay;
  std::string ca_file;  // empty: the system's trusted CAs (only read for verify)
  std::string name;     // the name the certificate must carry; empty: the gateway's address
  // Built when the configuration loads, from every key above and the gateway address,
  // so a bad CA file fails the load (or the reload, which keeps the running context).
  // Null when level is none.
  std::shared_ptr<const GatewayTlsContext> context;
};

std::span<const ConfigKey> gatewayTlsConfigKeys();

}  // namespace ts
