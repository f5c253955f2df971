// The tables of 3GPP TS 23.038 6.2.1 (basic) and 6.2.1.1 (extension), by Unicode code point.
// Only the extension characters that every handset shows are listed: the national
// single-shift tables are not used, so a message never depends on the handset's language.
#include "sms/gsm7_alphabet.h"

#include <algorithm>
#include <array>

namespace ts::sms {
namespace {

// The basic table's characters outside printable ASCII; sorted, for a binary search.
constexpr std::array<char32_t, 41> kBasicNonAscii = {
    U'\n',     U'\r',     U'\u00A1', U'\u00A3', U'\u00A4', U'\u00A5', U'\u00A7',
    U'\u00BF', U'\u00C4', U'\u00C5', U'\u00C6', U'\u00C7', U'\u00C9', U'\u00D1',
    U'\u00D6', U'\u00D8', U'\u00DC', U'\u00DF', U'\u00E0', U'\u00E4', U'\u00E5',
    U'\u00E6', U'\u00E8', U'\u00E9', U'\u00EC', U'\u00F1', U'\u00F2', U'\u00F6',
    U'\u00F8', U'\u00F9', U'\u00FC', U'\u0393', U'\u0394', U'\u0398', U'\u039B',
    U'\u039E', U'\u03A0', U'\u03A3', U'\u03A6', U'\u03A8', U'\u03A9'};

}  // namespace

std::size_t gsm7Septets(char32_t c) {
  switch (c) {
    case U'\f':
    case U'^':
    case U'{':
    case U'}':
    case U'\\':
    case U'[':
    case U'~':
    case U']':
    case U'|':
    case U'\u20AC':
      return 2;
    case U'`':
      return 0;
    default:
      break;
  }
  if (c >= 0x20 && c < 0x7F) return 1;
  return std::binary_search(kBasicNonAscii.begin(), kBasicNonAscii.end(), c) ? 1 : 0;
}

}  // namespace ts::sms
