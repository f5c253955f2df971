// Reply text may come from the gateway; CR and LF in it are replaced, so a hostile gateway
// cannot inject extra reply lines into the client's stream.
#include "smtp/reply.h"

#include <fmt/format.h>

namespace ts::smtp {
namespace {

void appendClean(std::string& out, std::string_view text) {
  for (char c : text) out.push_back(c == '\r' || c == '\n' ? ' ' : c);
}

}  // namespace

void appendReply(std::string& out, int code, std::string_view enhanced, std::string_view ref,
                 std::string_view text) {
  fmt::format_to(std::back_inserter(out), "{}", code);
  if (!enhanced.empty()) {
    out.push_back(' ');
    out.append(enhanced);
  }
  if (!ref.empty()) {
    out.append(" [");
    out.append(ref);
    out.push_back(']');
  }
  if (!text.empty()) {
    out.push_back(' ');
    appendClean(out, text);
  }
  out.append("\r\n");
}

void appendMultilineReply(std::string& out, int code, const std::vector<std::string>& lines) {
  for (std::size_t i = 0; i < lines.size(); ++i) {
    fmt::format_to(std::back_inserter(out), "{}{}", code, i + 1 == lines.size() ? ' ' : '-');
    appendClean(out, lines[i]);
    out.append("\r\n");
  }
}

}  // namespace ts::smtp
