// UTF-8 well-formedness (RFC 3629): overlongs, surrogates and values past U+10FFFF are
// refused, because an ill-formed address must never reach the gateway.
#pragma once

#include <cstddef>
#include <string_view>

namespace ts {

bool isValidUtf8(std::string_view text);
// The length of the well-formed sequence text starts with (1 to 4), or 0 when it starts
// with an ill-formed one or is empty.
std::size_t utf8SequenceLength(std::string_view text);
bool isAscii(std::string_view text);

}  // namespace ts
