// UTF-8 well-formedness (RFC 3629): overlongs, surrogates and values past U+10FFFF are
// refused, because an ill-formed address must never reach the gateway.
#pragma once

#include <string_view>

namespace ts {

bool isValidUtf8(std::string_view text);
bool isAscii(std::string_view text);

}  // namespace ts
