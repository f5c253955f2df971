// A small blocking SMTP client for `quarantine release`: one message, one connection to
// the gateway, every connect, read and write bounded by a timeout. Blocking is fine
// here: this is the CLI, not the daemon's loop. STARTTLS follows gateway_tls exactly as
// the daemon's relay does, so a release never carries in plaintext what the daemon would
// only send encrypted.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "net/socket_address.h"
#include "relay/gateway_tls_context.h"

namespace ts::ctl {

struct GatewaySettings {
  SocketAddress address;
  std::string helo_name;
  Duration connect_timeout{};  // the connection, the greeting and the TLS handshake
  Duration reply_timeout{};    // each reply after that
  // gateway_tls's context; null for gateway_tls = none.
  std::shared_ptr<const GatewayTlsContext> tls;
};

struct GatewayOutcome {
  bool delivered = false;  // the gateway answered 2xx to the message
  // The message went out but no reply came: it may have been delivered, so a caller
  // that must deliver once cannot simply try again.
  bool uncertain = false;
  std::vector<std::string> accepted;  // recipients the gateway took
  std::vector<std::string> refused;   // "<rcpt>: 550 5.1.1 ..." for the others
  std::string reply;                  // the deciding reply, or what went wrong
  std::string tls;  // "TLSv1.3 TLS_AES_256_GCM_SHA384, verified yes"; empty: plaintext
  // Why a gateway_tls = may release went in plaintext; empty when it did not try TLS.
  std::string plaintext_reason;
};

GatewayOutcome sendThroughGateway(const GatewaySettings& settings, std::string_view mail_from,
                                  const std::vector<std::string>& recipients,
                                  std::string_view message);

}  // namespace ts::ctl
