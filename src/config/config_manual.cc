// Roff treats a backslash as an escape, a line-leading '.' or '\'' as a request, and a
// plain '-' as a hyphen that may become U+2010: each is escaped so the text renders as
// typed.
#include "config/config_manual.h"

#include <string_view>

#include "config/config_table.h"

namespace ts {
namespace {

std::string roffText(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  if (!text.empty() && (text.front() == '.' || text.front() == '\'')) out += "\\&";
  for (char c : text) {
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

std::string configManualOptions() {
  std::string out = ".SH OPTIONS\n";
  for (const ConfigKeyGroup& group : configKeyGroups()) {
    out += ".SS \"" + roffText(group.title) + "\"\n";
    for (const ConfigKey& k : group.keys) {
      out += ".TP\n\\fB" + roffText(k.name) + "\\fR = \\fI" + roffText(k.unit) + "\\fR\n";
      out += roffText(k.doc) + "\n.br\n";
      out += k.default_value.empty() ? std::string("Default: (empty)\n")
                                     : "Default: \\fB" + roffText(k.default_value) + "\\fR\n";
    }
  }
  return out;
}

}  // namespace ts
