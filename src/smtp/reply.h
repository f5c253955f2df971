// Builds SMTP replies (RFC 5321 section 4.2, RFC 2034 enhanced codes). After MAIL every
// reply names the reference id right after the enhanced code: "550 5.7.1 [ts-...] text".
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ts::smtp {

struct Reply {
  int code = 0;
  std::string enhanced;  // "5.7.1"; empty for 220/221/354 and multi-line EHLO
  std::string text;

  bool positive() const { return code >= 200 && code < 400; }
  bool temporary() const { return code >= 400 && code < 500; }
  bool permanent() const { return code >= 500; }
};

// Appends the wire form of a reply with CRLF; "ref" may be empty.
void appendReply(std::string& out, int code, std::string_view enhanced, std::string_view ref,
                 std::string_view text);
void appendMultilineReply(std::string& out, int code, const std::vector<std::string>& lines);

}  // namespace ts::smtp
