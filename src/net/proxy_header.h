// The PROXY protocol header (HAProxy's proxy-protocol.txt, versions 1 and 2) that a load
// balancer sends before the client's first byte, so textscreen behind HAProxy still sees
// the real client address. Pure: bytes in, an answer out; the socket work is elsewhere.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "net/socket_address.h"

namespace ts {

// No header is longer: 107 bytes for version 1; version 2 senders fit their header in
// the smallest TCP segment (536 bytes), which the spec names as the receiver's buffer.
constexpr std::size_t kProxyHeaderMaxBytes = 536;
constexpr std::size_t kProxyV1MaxBytes = 107;

struct ProxyHeader {
  // kLocal: the proxy's own connection (a health check); the socket's peer is the client.
  enum class Command { kProxy, kLocal };
  int version = 0;
  Command command = Command::kProxy;
  // Absent for LOCAL, for version 1 UNKNOWN and for version 2 AF_UNSPEC: the client is
  // then the socket's peer.
  std::optional<SocketAddress> source;
  std::optional<SocketAddress> destination;
  std::size_t length = 0;  // bytes of the header, all consumed before the client's data
};

struct ProxyNeedMore {};
struct ProxyInvalid {
  std::string reason;
};
using ProxyParse = std::variant<ProxyNeedMore, ProxyInvalid, ProxyHeader>;

// Reads a header from the first bytes of a connection (all received so far), version 1
// or 2 by its signature. Answers NeedMore only while the bytes can still become a header.
ProxyParse parseProxyHeader(std::string_view bytes);

}  // namespace ts
