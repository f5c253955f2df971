// Well-formedness is util/utf8's (RFC 3629: no overlongs, no surrogates); this only turns
// the bytes it accepts into values and back.
#include "sms/utf8_text.h"

#include "util/utf8.h"

namespace ts::sms {

CodePoint decodeCodePoint(std::string_view text) {
  std::size_t length = utf8SequenceLength(text);
  if (length == 0) return CodePoint{kReplacementCharacter, 1};
  auto byte = [&](std::size_t i) {
    return static_cast<char32_t>(static_cast<unsigned char>(text[i]));
  };
  if (length == 1) return CodePoint{byte(0), 1};
  static constexpr char32_t kLeadMask[] = {0, 0, 0x1F, 0x0F, 0x07};
  char32_t value = byte(0) & kLeadMask[length];
  for (std::size_t i = 1; i < length; ++i) value = (value << 6) | (byte(i) & 0x3F);
  return CodePoint{value, length};
}

void appendUtf8(std::string& out, char32_t c) {
  auto put = [&](char32_t bits) { out.push_back(static_cast<char>(bits)); };
  if (c < 0x80) {
    put(c);
  } else if (c < 0x800) {
    put(0xC0 | (c >> 6));
    put(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    put(0xE0 | (c >> 12));
    put(0x80 | ((c >> 6) & 0x3F));
    put(0x80 | (c & 0x3F));
  } else {
    put(0xF0 | (c >> 18));
    put(0x80 | ((c >> 12) & 0x3F));
    put(0x80 | ((c >> 6) & 0x3F));
    put(0x80 | (c & 0x3F));
  }
}

std::string withValidUtf8(std::string_view text) {
  if (isValidUtf8(text)) return std::string(text);
  std::string out;
  out.reserve(text.size() + 8);
  while (!text.empty()) {
    CodePoint cp = decodeCodePoint(text);
    appendUtf8(out, cp.value);
    text.remove_prefix(cp.length);
  }
  return out;
}

}  // namespace ts::sms
