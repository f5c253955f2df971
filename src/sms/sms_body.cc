// A phone screen is small and every character is paid for: whitespace that a mail client
// would not show (indentation, blank lines, no-break and zero-width spaces, controls) is
// taken out before the text is counted, so it never costs a part or forces UCS-2.
#include "sms/sms_body.h"

#include <string>

#include "checks/content/message_content.h"
#include "sms/template_fit.h"
#include "sms/utf8_text.h"

namespace ts::sms {
namespace {

enum class CharKind { kText, kSpace, kLineBreak, kInvisible };

CharKind kindOf(char32_t c) {
  switch (c) {
    case U'\n':
    case U'\u2028':  // line separator
    case U'\u2029':  // paragraph separator
      return CharKind::kLineBreak;
    case U' ':
    case U'\t':
    case U'\r':
    case U'\f':
    case U'\v':
    case U'\u00A0':
    case U'\u1680':
    case U'\u202F':
    case U'\u205F':
    case U'\u3000':
      return CharKind::kSpace;
    case U'\u00AD':  // soft hyphen
    case U'\u200B':  // zero-width space
    case U'\u2060':  // word joiner
    case U'\uFEFF':  // byte order mark
      return CharKind::kInvisible;
    default:
      break;
  }
  if (c >= U'\u2000' && c <= U'\u200A') return CharKind::kSpace;
  if (c < 0x20 || (c >= 0x7F && c < 0xA0)) return CharKind::kInvisible;
  return CharKind::kText;
}

// Trimmed, whitespace runs as one space, and with keep_lines one line break between
// lines that have text (else line breaks are spaces too).
std::string normalised(std::string_view text, bool keep_lines) {
  std::string out;
  out.reserve(text.size());
  bool space = false;
  bool line_break = false;
  while (!text.empty()) {
    CodePoint cp = decodeCodePoint(text);
    std::string_view bytes = text.substr(0, cp.length);
    text.remove_prefix(cp.length);
    switch (kindOf(cp.value)) {
      case CharKind::kLineBreak:
        (keep_lines ? line_break : space) = true;
        continue;
      case CharKind::kSpace:
        space = true;
        continue;
      case CharKind::kInvisible:
        continue;
      case CharKind::kText:
        break;
    }
    if (!out.empty() && (line_break || space)) out.push_back(line_break ? '\n' : ' ');
    line_break = space = false;
    if (cp.value == kReplacementCharacter) {
      appendUtf8(out, cp.value);
    } else {
      out.append(bytes);
    }
  }
  return out;
}

std::string bodyOf(const MessageContent& content) {
  std::string plain;
  for (const TextSpan& span : content.plain_parts) {
    if (!plain.empty()) plain.push_back('\n');
    plain.append(content.text, span.begin, span.end - span.begin);
  }
  std::string body = normalised(plain, true);
  return body.empty() ? normalised(content.text, true) : body;
}

}  // namespace

FittedText composeSms(std::string_view raw_message, std::string_view sender,
                      const SmsTemplate& tmpl, unsigned max_segments) {
  MessageContent content = extractContent(raw_message);
  const MessageHeader* subject = content.header("Subject");
  std::string subject_line = subject ? normalised(subject->value, false) : std::string();
  std::string sender_line = normalised(sender, false);
  std::string from_line = normalised(content.from_name, false);
  std::string body = bodyOf(content);
  SmsFields fields{subject_line, body, sender_line, from_line};
  FittedText whole = fitToSegments(expandSmsTemplate(tmpl, fields), max_segments);
  if (!whole.truncated || body.empty()) return whole;
  return fitByCuttingBody(tmpl, fields, max_segments).value_or(std::move(whole));
}

}  // namespace ts::sms
