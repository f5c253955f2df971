// The GSM 03.38 tables: every character of the basic table takes one septet, the extension
// table two, and anything else has no GSM-7 form.
#include "sms/gsm7_alphabet.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "sms/utf8_text.h"

namespace ts::sms {
namespace {

std::size_t septetsOfEach(std::string_view text, std::size_t expected) {
  std::size_t count = 0;
  while (!text.empty()) {
    CodePoint cp = decodeCodePoint(text);
    EXPECT_EQ(gsm7Septets(cp.value), expected)
        << "U+" << std::hex << static_cast<std::uint32_t>(cp.value);
    text.remove_prefix(cp.length);
    ++count;
  }
  return count;
}

TEST(Gsm7AlphabetTest, BasicTableHas127Characters) {
  std::string ascii;
  for (char c = ' '; c < 0x7F; ++c) {
    if (std::string_view("`[\\]^{|}~").find(c) == std::string_view::npos) ascii.push_back(c);
  }
  const std::string others = "\n\r£¥èéùìòÇØøÅåΔΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà";
  EXPECT_EQ(septetsOfEach(ascii, 1) + septetsOfEach(others, 1), 127u);
}

TEST(Gsm7AlphabetTest, ExtensionTableTakesTwo) {
  EXPECT_EQ(septetsOfEach("\f^{}\\[~]|€", 2), 10u);
}

TEST(Gsm7AlphabetTest, OutsideTheAlphabet) {
  // Lower-case c cedilla, accents other than the table's, tab, controls, Cyrillic, emoji,
  // typographic quotes and the no-break space all need UCS-2.
  EXPECT_EQ(septetsOfEach("`çÀáíóúê\t\x01\x7Fжя😀’“\u00A0\u2026", 0), 18u);
}

}  // namespace
}  // namespace ts::sms
