// The sms_template setting: how the subject, body and sender of a mail become the SMS text.
// Read once when the configuration loads, so a typo in a placeholder is a config error and
// not a text that goes out with "{subjet}" in it.
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"

namespace ts::sms {

struct SmsTemplate {
  std::string text;  // the two characters \n of the setting already turned into newlines
};

// The setting's value: "\n" (backslash, n) means a newline; a "{" followed by a name and "}"
// must be {subject}, {body}, {sender} or {from}, other braces are text. Refused: an unknown
// placeholder, ill-formed UTF-8, a template with nothing but whitespace.
Result<SmsTemplate> parseSmsTemplate(std::string_view value);

struct SmsFields {
  std::string_view subject;
  std::string_view body;
  std::string_view sender;
  std::string_view from;
};

// The template filled in and trimmed (an empty field must not leave a leading line break).
// One pass over the template, so a subject that contains "{body}" stays as written.
std::string expandSmsTemplate(const SmsTemplate& tmpl, const SmsFields& fields);

}  // namespace ts::sms
