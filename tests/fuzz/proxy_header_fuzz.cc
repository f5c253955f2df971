// Fuzzes the PROXY protocol parser with arbitrary first bytes of a connection: no crash,
// no undefined behaviour, a parsed header never claims more bytes than it was given nor
// more than the protocol allows, and every prefix of a parsed header asks for more.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "net/proxy_header.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  ts::ProxyParse parsed = ts::parseProxyHeader(bytes);
  const auto* header = std::get_if<ts::ProxyHeader>(&parsed);
  if (!header) return 0;
  if (header->length == 0 || header->length > size) std::abort();
  if (header->length > ts::kProxyHeaderMaxBytes) std::abort();
  if (header->version == 1 && header->length > ts::kProxyV1MaxBytes) std::abort();
  if (header->command == ts::ProxyHeader::Command::kLocal && header->source) std::abort();
  if (header->source.has_value() != header->destination.has_value()) std::abort();
  // The header alone parses the same; any shorter prefix needs more bytes.
  ts::ProxyParse alone = ts::parseProxyHeader(bytes.substr(0, header->length));
  const auto* same = std::get_if<ts::ProxyHeader>(&alone);
  if (!same || same->length != header->length) std::abort();
  if (!std::holds_alternative<ts::ProxyNeedMore>(
          ts::parseProxyHeader(bytes.substr(0, header->length - 1)))) {
    std::abort();
  }
  return 0;
}
