// Only ASCII host names: internationalised domains arrive in mail as A-labels
// ("xn--..."), which pass these checks unchanged.
#include "util/input_checks.h"

#include <fmt/format.h>

#include "util/ascii.h"

namespace ts {
namespace {

bool isAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

}  // namespace

Result<std::string> normaliseDomain(std::string_view text) {
  std::string d = asciiLower(text);
  if (!d.empty() && d.back() == '.') d.pop_back();
  auto bad = [&](std::string_view why) {
    return fail(fmt::format("'{}' is not a domain name: {}", text, why));
  };
  if (d.empty()) return bad("it is empty");
  if (d.size() > 253) return bad("longer than 253 characters");
  if (d.find('@') != std::string::npos) return bad("give the domain only, without 'local@'");
  std::size_t start = 0;
  bool last_all_digits = true;
  while (start <= d.size()) {
    std::size_t dot = d.find('.', start);
    std::string_view label = std::string_view(d).substr(
        start, dot == std::string::npos ? std::string::npos : dot - start);
    if (label.empty()) return bad("it has an empty label (two dots in a row, or a leading dot)");
    if (label.size() > 63)
      return bad(fmt::format("label '{}' is longer than 63 characters", label));
    last_all_digits = true;
    for (char c : label) {
      if (!isAlnum(c) && c != '-') {
        return bad(fmt::format("'{}' is not allowed (letters, digits, '-' and dots only)", c));
      }
      if (c < '0' || c > '9') last_all_digits = false;
    }
    if (label.front() == '-' || label.back() == '-') {
      return bad(fmt::format("label '{}' starts or ends with '-'", label));
    }
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (d.find('.') == std::string::npos) {
    return bad("it needs at least two labels, like example.com");
  }
  if (last_all_digits) return bad("it looks like an IP address; a domain's last label has letters");
  return d;
}

Result<std::vector<std::string>> parseScope(std::string_view text, std::string_view separators) {
  std::vector<std::string> scope;
  std::string all_separators = std::string(separators) + " \t";
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find_first_of(all_separators, pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view item = text.substr(pos, end - pos);
    pos = end + 1;
    if (item.empty()) continue;
    std::string_view number = item;
    if (number.back() == '*') number.remove_suffix(1);
    if (!number.empty() && number.front() == '+') number.remove_prefix(1);
    bool ok = item != "+*" && item != "+";
    for (char c : number) ok = ok && c >= '0' && c <= '9';
    if (!ok || (number.empty() && item != "*")) {
      return fail(fmt::format(
          "scope item '{}' is not a recipient number or a prefix ending in '*' (like 14155551212 "
          "or 1415555*)",
          item));
    }
    scope.emplace_back(item);
  }
  return scope;
}

Status<> checkOneLine(std::string_view what, std::string_view text, std::size_t max_length,
                      bool ascii_only) {
  if (text.size() > max_length) {
    return fail(fmt::format("{} is {} bytes long; at most {} fit", what, text.size(), max_length));
  }
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      return fail(
          fmt::format("{} must be one line of printable text (no control characters)", what));
    }
    if (ascii_only && u >= 0x80) {
      return fail(fmt::format("{} goes into SMTP replies and must be plain ASCII", what));
    }
  }
  return Ok{};
}

}  // namespace ts
