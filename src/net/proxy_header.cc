// Strict on purpose: the header decides which address every check judges, so anything
// the spec does not allow (two spaces, a port with leading zeros, an address of the
// other family, a malformed TLV) is refused rather than guessed at.
#include "net/proxy_header.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#include <fmt/format.h>

namespace ts {
namespace {

constexpr std::string_view kV1Prefix = "PROXY ";
constexpr std::string_view kV2Signature("\r\n\r\n\0\r\nQUIT\n", 12);
constexpr std::size_t kV2FixedBytes = 16;  // signature, version/command, family, length

// Version 2 family/protocol bytes textscreen takes: SMTP runs over TCP only.
constexpr std::uint8_t kV2Unspec = 0x00;
constexpr std::uint8_t kV2Tcp4 = 0x11;
constexpr std::uint8_t kV2Tcp6 = 0x21;
constexpr std::size_t kV2Tcp4AddressBytes = 12;
constexpr std::size_t kV2Tcp6AddressBytes = 36;
constexpr std::size_t kTlvHeaderBytes = 3;  // type, 16-bit length

// True when bytes and prefix agree on their common length: bytes may still grow into it.
bool startsLike(std::string_view bytes, std::string_view prefix) {
  std::size_t n = std::min(bytes.size(), prefix.size());
  return bytes.substr(0, n) == prefix.substr(0, n);
}

std::uint8_t byteAt(std::string_view bytes, std::size_t i) {
  return static_cast<std::uint8_t>(bytes[i]);
}

std::uint16_t be16(std::string_view bytes, std::size_t i) {
  return static_cast<std::uint16_t>(byteAt(bytes, i) << 8 | byteAt(bytes, i + 1));
}

ProxyInvalid invalid(std::string reason) {
  return ProxyInvalid{std::move(reason)};
}

// ---- version 1 ----

// Decimal 0..65535, no sign, no leading zeros, nothing else.
std::optional<std::uint16_t> parsePort(std::string_view text) {
  if (text.empty() || text.size() > 5 || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  unsigned value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

std::optional<SocketAddress> v1Address(int family, std::string_view host, std::uint16_t port) {
  if (host.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  std::string text(host);  // inet_pton wants a terminated string
  if (family == AF_INET) {
    sockaddr_in sin{};
    if (inet_pton(AF_INET, text.c_str(), &sin.sin_addr) != 1) return std::nullopt;
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    return SocketAddress::fromSockaddr(reinterpret_cast<const sockaddr*>(&sin), sizeof(sin));
  }
  sockaddr_in6 sin6{};
  if (inet_pton(AF_INET6, text.c_str(), &sin6.sin6_addr) != 1) return std::nullopt;
  sin6.sin6_family = AF_INET6;
  sin6.sin6_port = htons(port);
  return SocketAddress::fromSockaddr(reinterpret_cast<const sockaddr*>(&sin6), sizeof(sin6));
}

// "PROXY TCP4|TCP6 src dst sport dport" (without its CRLF), each field after one space.
ProxyParse parseV1Line(std::string_view line, std::size_t length) {
  std::string_view rest = line.substr(kV1Prefix.size());
  std::string_view protocol = rest.substr(0, rest.find(' '));
  if (protocol == "UNKNOWN") {
    // The spec has the receiver ignore whatever follows UNKNOWN.
    return ProxyHeader{1, ProxyHeader::Command::kProxy, std::nullopt, std::nullopt, length};
  }
  if (protocol != "TCP4" && protocol != "TCP6") {
    return invalid(fmt::format("version 1 protocol '{}' is not TCP4, TCP6 or UNKNOWN", protocol));
  }
  std::array<std::string_view, 4> fields;
  std::string_view tail = rest.substr(protocol.size());
  for (std::string_view& field : fields) {
    if (tail.empty() || tail[0] != ' ')
      return invalid("version 1 line has fewer than 6 space-separated fields");
    tail.remove_prefix(1);
    field = tail.substr(0, tail.find(' '));
    if (field.empty()) return invalid("version 1 fields must be separated by single spaces");
    tail.remove_prefix(field.size());
  }
  if (!tail.empty()) return invalid("version 1 line has more than 6 fields");
  std::optional<std::uint16_t> source_port = parsePort(fields[2]);
  std::optional<std::uint16_t> destination_port = parsePort(fields[3]);
  if (!source_port || !destination_port) {
    return invalid(fmt::format("version 1 port '{}' or '{}' is not a number from 0 to 65535",
                               fields[2], fields[3]));
  }
  int family = protocol == "TCP4" ? AF_INET : AF_INET6;
  std::optional<SocketAddress> source = v1Address(family, fields[0], *source_port);
  std::optional<SocketAddress> destination = v1Address(family, fields[1], *destination_port);
  if (!source || !destination) {
    return invalid(fmt::format("version 1 address '{}' or '{}' is not an {} address", fields[0],
                               fields[1], family == AF_INET ? "IPv4" : "IPv6"));
  }
  return ProxyHeader{1, ProxyHeader::Command::kProxy, source, destination, length};
}

ProxyParse parseV1(std::string_view bytes) {
  std::string_view window = bytes.substr(0, kProxyV1MaxBytes);
  std::size_t lf = window.find('\n');
  std::string_view line = window.substr(0, lf);
  // The line is printable ASCII; a CR is only allowed right before the LF (or at the end of
  // what has arrived, where the LF may follow). Refusing early spares waiting for a timeout.
  for (std::size_t i = 0; i < line.size(); ++i) {
    auto c = static_cast<unsigned char>(line[i]);
    bool closing_cr = c == '\r' && i + 1 == line.size();
    if ((c < 0x20 || c > 0x7e) && !closing_cr) {
      return invalid(fmt::format("version 1 line has a control or non-ASCII byte at {}", i));
    }
  }
  if (lf == std::string_view::npos) {
    if (window.size() >= kProxyV1MaxBytes) return invalid("version 1 line longer than 107 bytes");
    return ProxyNeedMore{};
  }
  if (line.empty() || line.back() != '\r') return invalid("version 1 line not ended by CRLF");
  line.remove_suffix(1);
  return parseV1Line(line, lf + 1);
}

// ---- version 2 ----

SocketAddress v2Address(int family, std::string_view address, std::string_view port) {
  if (family == AF_INET) {
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    std::memcpy(&sin.sin_addr, address.data(), 4);
    std::memcpy(&sin.sin_port, port.data(), 2);  // both already in network order
    return SocketAddress::fromSockaddr(reinterpret_cast<const sockaddr*>(&sin), sizeof(sin));
  }
  sockaddr_in6 sin6{};
  sin6.sin6_family = AF_INET6;
  std::memcpy(&sin6.sin6_addr, address.data(), 16);
  std::memcpy(&sin6.sin6_port, port.data(), 2);
  return SocketAddress::fromSockaddr(reinterpret_cast<const sockaddr*>(&sin6), sizeof(sin6));
}

// The TLVs after the addresses are skipped, but they must tile the rest exactly: a broken
// TLV list means the sender and textscreen disagree on the format.
bool tlvsWellFormed(std::string_view tlvs) {
  while (!tlvs.empty()) {
    if (tlvs.size() < kTlvHeaderBytes) return false;
    std::size_t value_bytes = be16(tlvs, 1);
    if (tlvs.size() - kTlvHeaderBytes < value_bytes) return false;
    tlvs.remove_prefix(kTlvHeaderBytes + value_bytes);
  }
  return true;
}

ProxyParse parseV2(std::string_view bytes) {
  if (bytes.size() <= kV2Signature.size()) return ProxyNeedMore{};
  std::uint8_t version_command = byteAt(bytes, 12);
  if (version_command >> 4 != 2) {
    return invalid(fmt::format("version 2 signature with version {}", version_command >> 4));
  }
  auto command = version_command & 0x0f;
  if (command > 1)
    return invalid(fmt::format("version 2 command {} is not LOCAL or PROXY", command));
  bool local = command == 0;
  if (bytes.size() < 14) return ProxyNeedMore{};
  std::uint8_t family = byteAt(bytes, 13);
  // LOCAL ignores the family and addresses, as the spec says.
  if (!local && family != kV2Unspec && family != kV2Tcp4 && family != kV2Tcp6) {
    return invalid(
        fmt::format("version 2 family/protocol 0x{:02x} is not TCP over IPv4 or IPv6", family));
  }
  if (bytes.size() < kV2FixedBytes) return ProxyNeedMore{};
  std::size_t block = be16(bytes, 14);
  std::size_t length = kV2FixedBytes + block;
  if (length > kProxyHeaderMaxBytes) {
    return invalid(fmt::format("version 2 header of {} bytes is longer than {}", length,
                               kProxyHeaderMaxBytes));
  }
  std::size_t address_bytes = local               ? 0
                              : family == kV2Tcp4 ? kV2Tcp4AddressBytes
                              : family == kV2Tcp6 ? kV2Tcp6AddressBytes
                                                  : 0;
  if (block < address_bytes) {
    return invalid(fmt::format("version 2 address block of {} bytes, family 0x{:02x} needs {}",
                               block, family, address_bytes));
  }
  if (bytes.size() < length) return ProxyNeedMore{};
  if (local)
    return ProxyHeader{2, ProxyHeader::Command::kLocal, std::nullopt, std::nullopt, length};
  if (family == kV2Unspec) {
    return ProxyHeader{2, ProxyHeader::Command::kProxy, std::nullopt, std::nullopt, length};
  }
  std::string_view addresses = bytes.substr(kV2FixedBytes, address_bytes);
  if (!tlvsWellFormed(bytes.substr(kV2FixedBytes + address_bytes, block - address_bytes))) {
    return invalid("version 2 TLVs do not fill the address block exactly");
  }
  int af = family == kV2Tcp4 ? AF_INET : AF_INET6;
  std::size_t ip = af == AF_INET ? 4 : 16;
  SocketAddress source = v2Address(af, addresses.substr(0, ip), addresses.substr(2 * ip, 2));
  SocketAddress destination =
      v2Address(af, addresses.substr(ip, ip), addresses.substr(2 * ip + 2, 2));
  return ProxyHeader{2, ProxyHeader::Command::kProxy, source, destination, length};
}

}  // namespace

ProxyParse parseProxyHeader(std::string_view bytes) {
  if (bytes.empty()) return ProxyNeedMore{};
  if (startsLike(bytes, kV2Signature)) return parseV2(bytes);
  if (startsLike(bytes, kV1Prefix)) {
    if (bytes.size() < kV1Prefix.size()) return ProxyNeedMore{};
    return parseV1(bytes);
  }
  return invalid("not a PROXY protocol header (no version 1 or 2 signature)");
}

}  // namespace ts
