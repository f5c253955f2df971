// Code points out of UTF-8 for the SMS text, where an ill-formed byte must neither stop the
// message nor reach the API: it is read, and written, as U+FFFD.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ts::sms {

inline constexpr char32_t kReplacementCharacter = U'\uFFFD';

struct CodePoint {
  char32_t value;
  std::size_t length;  // bytes read: 1 for an ill-formed byte, which reads as U+FFFD
};

// text must not be empty.
CodePoint decodeCodePoint(std::string_view text);
void appendUtf8(std::string& out, char32_t code_point);
std::string withValidUtf8(std::string_view text);

}  // namespace ts::sms
