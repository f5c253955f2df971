// Placeholders are found the same way when the setting is read and when a message is
// composed, so what was accepted is exactly what gets replaced.
#include "sms/sms_template.h"

#include <optional>

#include "util/utf8.h"

namespace ts::sms {
namespace {

bool isNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// The length of the "{name}" text starts with, or 0 when it does not start with one.
std::size_t placeholderLength(std::string_view text) {
  if (text.empty() || text[0] != '{') return 0;
  std::size_t i = 1;
  while (i < text.size() && isNameChar(text[i])) ++i;
  if (i == 1 || i >= text.size() || text[i] != '}') return 0;
  return i + 1;
}

std::optional<std::string_view> fieldFor(std::string_view placeholder, const SmsFields& fields) {
  if (placeholder == "{subject}") return fields.subject;
  if (placeholder == "{body}") return fields.body;
  if (placeholder == "{sender}") return fields.sender;
  if (placeholder == "{from}") return fields.from;
  return std::nullopt;
}

constexpr std::string_view kBlank = " \t\r\n";

bool isBlank(std::string_view text) {
  return text.find_first_not_of(kBlank) == std::string_view::npos;
}

}  // namespace

Result<SmsTemplate> parseSmsTemplate(std::string_view value) {
  if (!isValidUtf8(value)) return fail(std::string("is not valid UTF-8"));
  SmsTemplate tmpl;
  for (std::size_t i = 0; i < value.size();) {
    std::string_view rest = value.substr(i);
    if (rest.substr(0, 2) == "\\n") {
      tmpl.text.push_back('\n');
      i += 2;
      continue;
    }
    if (std::size_t n = placeholderLength(rest); n > 0) {
      std::string_view placeholder = rest.substr(0, n);
      if (!fieldFor(placeholder, SmsFields{})) {
        return fail("has an unknown placeholder " + std::string(placeholder) +
                    " (known: {subject}, {body}, {sender}, {from})");
      }
      tmpl.text.append(placeholder);
      i += n;
      continue;
    }
    tmpl.text.push_back(value[i]);
    ++i;
  }
  if (isBlank(tmpl.text)) return fail(std::string("is empty: the SMS would have no text"));
  return tmpl;
}

std::string expandSmsTemplate(const SmsTemplate& tmpl, const SmsFields& fields) {
  std::string out;
  std::string_view text = tmpl.text;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t n = placeholderLength(text.substr(i));
    std::optional<std::string_view> field =
        n > 0 ? fieldFor(text.substr(i, n), fields) : std::nullopt;
    if (field) {
      out.append(*field);
      i += n;
    } else {
      out.push_back(text[i]);
      ++i;
    }
  }
  std::size_t begin = out.find_first_not_of(kBlank);
  if (begin == std::string::npos) return {};
  return out.substr(begin, out.find_last_not_of(kBlank) - begin + 1);
}

}  // namespace ts::sms
