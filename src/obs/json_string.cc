// Short escapes where JSON has them (\n, \t, ...) keep a log line readable; every other
// control byte and DEL becomes \u00XX.
#include "obs/json_string.h"

#include <fmt/format.h>

#include "util/utf8.h"

namespace ts {

void appendJsonString(std::string& out, std::string_view text) {
  out.push_back('"');
  while (!text.empty()) {
    auto u = static_cast<unsigned char>(text.front());
    std::size_t length = 1;
    if (u == '"' || u == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(u));
    } else if (u == '\n') {
      out += "\\n";
    } else if (u == '\r') {
      out += "\\r";
    } else if (u == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      out += fmt::format("\\u{:04x}", u);
    } else if (u < 0x80) {
      out.push_back(static_cast<char>(u));
    } else if (std::size_t n = utf8SequenceLength(text); n > 0) {
      out.append(text.substr(0, n));
      length = n;
    } else {
      out += "\\ufffd";
    }
    text.remove_prefix(length);
  }
  out.push_back('"');
}

}  // namespace ts
