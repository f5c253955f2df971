// A scan for runs of the characters an address literal is made of, each run tried as an
// address with inet_pton (so "14:05" or "5.7.1" stay text) and trimmed of the punctuation
// that sentences and "key:value" details put around it.
#include "web/public_redaction.h"

#include <arpa/inet.h>

#include "web/recipient_mask.h"

namespace ts {
namespace {

constexpr std::size_t kNumberFrom = 7;

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

bool isAddressChar(char c) {
  return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
}

bool isWordChar(char c) {
  return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool isAddress(std::string_view text) {
  if (text.empty() || text.size() > INET6_ADDRSTRLEN) return false;
  std::string s(text);
  in6_addr buf{};
  return inet_pton(AF_INET, s.c_str(), &buf) == 1 || inet_pton(AF_INET6, s.c_str(), &buf) == 1;
}

// The address inside a run, as [offset, length), or length 0. A run glued to the word
// before it ("client:192.0.2.1", "IPv6:2001:db8::1", "hub:..." where b is a hex digit)
// starts after its first colon. Tried: the rest as it is, without a sentence's closing
// dot, without a leading colon, and the IPv4 after the last colon.
std::pair<std::size_t, std::size_t> addressIn(std::string_view run, bool glued) {
  std::size_t from = 0;
  if (glued) {
    from = run.find(':');
    if (from == std::string_view::npos) return {0, 0};
    ++from;
  }
  std::size_t n = run.size();
  std::size_t end = run.find_last_not_of(":.");
  if (end == std::string_view::npos || end < from) return {0, 0};
  ++end;
  std::size_t first = run.substr(from, 1) == ":" && run.substr(from, 2) != "::" ? from + 1 : from;
  std::size_t colon = run.substr(0, end).rfind(':');
  std::size_t tail = colon == std::string_view::npos || colon < from ? from : colon + 1;
  const std::pair<std::size_t, std::size_t> tries[] = {{from, n - from},
                                                       {from, end - from},
                                                       {first, n - first},
                                                       {first, end - first},
                                                       {tail, end - tail}};
  for (auto [offset, length] : tries) {
    if (length != 0 && isAddress(run.substr(offset, length))) return {offset, length};
  }
  return {0, 0};
}

// Digit runs of a telephone number's length masked; shorter ones (times, codes) kept.
void appendMaskedNumbers(std::string_view text, std::string& out) {
  std::size_t i = 0;
  while (i < text.size()) {
    if (!isDigit(text[i])) {
      out += text[i++];
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && isDigit(text[j])) ++j;
    std::string_view digits = text.substr(i, j - i);
    out += digits.size() >= kNumberFrom ? maskMiddle(digits) : std::string(digits);
    i = j;
  }
}

}  // namespace

std::string redactForPublic(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  std::size_t plain = 0;  // start of the text not yet copied
  while (i < text.size()) {
    if (!isAddressChar(text[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && isAddressChar(text[j])) ++j;
    bool glued = i > 0 && isWordChar(text[i - 1]);
    auto [offset, length] = addressIn(text.substr(i, j - i), glued);
    if (length != 0) {
      appendMaskedNumbers(text.substr(plain, i + offset - plain), out);
      out += kHiddenAddress;
      plain = i + offset + length;
    }
    i = j;
  }
  appendMaskedNumbers(text.substr(plain), out);
  return out;
}

}  // namespace ts
