// A JSON string literal for any bytes, for --log-format json: client text (HELO names,
// addresses, rule hits) is hostile, and a log shipper must still parse every line.
#pragma once

#include <string>
#include <string_view>

namespace ts {

// Appends text as a quoted JSON string: quotes, backslashes and control bytes escaped,
// well-formed UTF-8 kept as it is, and each byte of an ill-formed sequence written as
// U+FFFD, so the result is valid JSON (RFC 8259) whatever the input.
void appendJsonString(std::string& out, std::string_view text);

}  // namespace ts
