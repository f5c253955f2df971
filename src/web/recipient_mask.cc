// Masks by character, not by byte, so a local part in another script is cut between
// characters; an ill-formed byte counts as one character and is escaped later.
#include "web/recipient_mask.h"

#include <vector>

#include "util/utf8.h"

namespace ts {
namespace {

constexpr std::size_t kLongFrom = 8;
constexpr std::size_t kLongHead = 4;
constexpr std::size_t kLongTail = 2;

std::vector<std::string_view> characters(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    std::size_t n = utf8SequenceLength(text);
    if (n == 0) n = 1;
    out.push_back(text.substr(0, n));
    text.remove_prefix(n);
  }
  return out;
}

}  // namespace

std::string maskMiddle(std::string_view text) {
  std::string out;
  if (!text.empty() && text.front() == '+') {
    out += '+';
    text.remove_prefix(1);
  }
  std::vector<std::string_view> chars = characters(text);
  std::size_t n = chars.size();
  std::size_t head = n >= kLongFrom ? kLongHead : std::min<std::size_t>(2, n / 3);
  std::size_t tail = n >= kLongFrom ? kLongTail : 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (i < head || i >= n - tail) {
      out += chars[i];
    } else {
      out += '*';
    }
  }
  return out;
}

std::string maskRecipient(std::string_view address) {
  std::size_t at = address.rfind('@');
  if (at == std::string_view::npos) return maskMiddle(address);
  return maskMiddle(address.substr(0, at)) + std::string(address.substr(at));
}

}  // namespace ts
