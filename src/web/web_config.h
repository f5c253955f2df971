// The web pages' keys (STYLE.md 6): where the listener is, its certificate, who may use
// the staff dashboard and how often one address may look up a reference id.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "net/socket_address.h"
#include "net/tls_config.h"

namespace ts {

struct ConfigKey;

struct WebConfig {
  std::optional<SocketAddress> listen;  // absent: no web pages
  TlsConfig tls;                        // certificate set: HTTPS only
  std::string staff_users_file;         // empty: the dashboard answers loopback clients only
  unsigned why_rate = 0;                // /why lookups per minute per client address

  bool operator==(const WebConfig&) const = default;
};

std::span<const ConfigKey> webConfigKeys();

}  // namespace ts
