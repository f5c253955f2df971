// Text that came from someone else's DNS (a list's TXT record, a PTR name) goes into our
// replies and log lines only as printable ASCII, cut to a length that fits a reply line.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

namespace ts {

// Every byte outside 0x20-0x7e becomes '?'; text longer than max is cut and ends "...".
inline std::string printableAscii(std::string_view text, std::size_t max) {
  std::string out;
  out.reserve(std::min(text.size(), max) + 3);
  for (char c : text) {
    if (out.size() == max) {
      out += "...";
      break;
    }
    out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  }
  return out;
}

}  // namespace ts
