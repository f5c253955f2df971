// One MX record as DnsAnswer gives it ("10 mx.example.com"), read once for every check
// that needs it: the HELO and sender-domain checks ask whether a domain has a mail
// server, the callout which one to ask first.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ts::dns {

struct MxRecord {
  unsigned preference = 0;
  std::string host;  // lower case, no trailing dot; empty for the null MX "0 ." (RFC 7505)

  bool isNullMx() const { return host.empty(); }
};

// Nothing when the text is not "preference host".
std::optional<MxRecord> parseMxRecord(std::string_view record);

}  // namespace ts::dns
