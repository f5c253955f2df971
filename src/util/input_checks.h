// Checks for what operators type, in textscreenctl or on the staff dashboard: domain
// names, recipient scopes and texts that end up in SMTP replies. Each error says what is
// wrong and what would be right: input is refused rather than stored where the daemon
// would never match it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace ts {

// Lower case, without a trailing dot; at least two labels of letters, digits and
// hyphens (RFC 1035 host names), not an address literal.
Result<std::string> normaliseDomain(std::string_view text);

// Recipient numbers or prefixes ending in '*', separated by any of separators (and
// blanks); an empty list means every recipient.
Result<std::vector<std::string>> parseScope(std::string_view text, std::string_view separators);

// A text that is quoted in an SMTP reply (ascii_only: RFC 5321 reply text is ASCII) or
// in a listing: one line of printable characters, at most max_length bytes.
Status<> checkOneLine(std::string_view what, std::string_view text, std::size_t max_length,
                      bool ascii_only);

}  // namespace ts
