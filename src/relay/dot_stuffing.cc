// A line is whatever ends in LF; a CR before that LF belongs to the line end, so a message
// stored with CRLF (as the daemon stores it) and one with bare LFs give the same payload.
#include "relay/dot_stuffing.h"

namespace ts {

std::string dotStuff(std::string_view message) {
  std::string out;
  out.reserve(message.size() + message.size() / 50 + 8);
  std::size_t pos = 0;
  while (pos < message.size()) {
    std::size_t eol = message.find('\n', pos);
    std::string_view line =
        message.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    pos = eol == std::string_view::npos ? message.size() : eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty() && line.front() == '.') out.push_back('.');
    out.append(line);
    out.append("\r\n");
  }
  out.append(".\r\n");
  return out;
}

}  // namespace ts
