// Walks the dot-separated labels of a domain name; the label rules differ by use (RFC 1035
// host names for HELO, RFC 5321 sub-domains with UTF-8 for addresses), the walk does not.
#pragma once

#include <string_view>

namespace ts {

template <typename LabelTest>
bool everyLabel(std::string_view name, LabelTest ok) {
  std::size_t start = 0;
  while (true) {
    std::size_t dot = name.find('.', start);
    if (!ok(name.substr(start, dot - start))) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

}  // namespace ts
