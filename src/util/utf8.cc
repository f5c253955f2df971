// Follows the well-formed byte sequence table of Unicode 15, section 3.9 (table 3-7).
#include "util/utf8.h"

#include <cstdint>

namespace ts {

bool isAscii(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

std::size_t utf8SequenceLength(std::string_view text) {
  if (text.empty()) return 0;
  const auto* p = reinterpret_cast<const std::uint8_t*>(text.data());
  std::uint8_t b = p[0];
  if (b < 0x80) return 1;
  std::size_t extra = 0;
  std::uint8_t lo = 0x80, hi = 0xBF;
  if (b >= 0xC2 && b <= 0xDF) {
    extra = 1;
  } else if (b >= 0xE0 && b <= 0xEF) {
    extra = 2;
    if (b == 0xE0) lo = 0xA0;
    if (b == 0xED) hi = 0x9F;
  } else if (b >= 0xF0 && b <= 0xF4) {
    extra = 3;
    if (b == 0xF0) lo = 0x90;
    if (b == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (text.size() <= extra) return 0;
  if (p[1] < lo || p[1] > hi) return 0;
  for (std::size_t i = 2; i <= extra; ++i) {
    if (p[i] < 0x80 || p[i] > 0xBF) return 0;
  }
  return extra + 1;
}

bool isValidUtf8(std::string_view text) {
  while (!text.empty()) {
    std::size_t n = utf8SequenceLength(text);
    if (n == 0) return false;
    text.remove_prefix(n);
  }
  return true;
}

}  // namespace ts
