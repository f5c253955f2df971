// The root name may arrive as "." or as nothing after the space; both are the null MX.
#include "dns/mx_record.h"

#include <charconv>

#include "util/ascii.h"

namespace ts::dns {

std::optional<MxRecord> parseMxRecord(std::string_view record) {
  std::size_t space = record.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  MxRecord mx;
  auto [end, ec] = std::from_chars(record.data(), record.data() + space, mx.preference);
  if (ec != std::errc() || end != record.data() + space) return std::nullopt;
  mx.host = asciiLower(record.substr(space + 1));
  if (!mx.host.empty() && mx.host.back() == '.') mx.host.pop_back();
  return mx;
}

}  // namespace ts::dns
