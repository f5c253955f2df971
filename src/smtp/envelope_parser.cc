// A strict parser: what it accepts is forwarded to the gateway verbatim, so anything the
// gateway could read differently (bare quotes, control characters, bad UTF-8) is refused.
#include "smtp/envelope_parser.h"

#include <cstddef>

#include "util/ascii.h"
#include "util/domain_labels.h"
#include "util/utf8.h"

namespace ts::smtp {
namespace {

constexpr std::size_t kMaxLocalPart = 64;
constexpr std::size_t kMaxDomain = 255;
constexpr std::size_t kMaxPath = 256;

bool isAlnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool isAtext(unsigned char c) {
  if (isAlnum(c) || c >= 0x80) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '/':
    case '=':
    case '?':
    case '^':
    case '_':
    case '`':
    case '{':
    case '|':
    case '}':
    case '~':
      return true;
    default:
      return false;
  }
}

bool isDotString(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == '.') {
      if (s[i - 1] == '.') return false;
    } else if (!isAtext(c)) {
      return false;
    }
  }
  return true;
}

bool isQuotedString(std::string_view s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return false;
  for (std::size_t i = 1; i + 1 < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == '\\') {
      ++i;
      if (i + 1 >= s.size()) return false;
      auto q = static_cast<unsigned char>(s[i]);
      if (q < 32 || q > 126) return false;
    } else if (c == '"' || c < 32 || c == 127) {
      return false;
    }
  }
  return true;
}

bool isSubDomain(std::string_view label) {
  if (label.empty() || label.front() == '-' || label.back() == '-') return false;
  for (char ch : label) {
    auto c = static_cast<unsigned char>(ch);
    if (!isAlnum(c) && c != '-' && c < 0x80) return false;
  }
  return true;
}

bool isDomain(std::string_view d) {
  if (d.empty() || d.size() > kMaxDomain) return false;
  if (d.front() == '[') {
    // Address literals are kept opaque here; the recipient policy never accepts them.
    if (d.back() != ']' || d.size() < 3) return false;
    for (char c : d.substr(1, d.size() - 2)) {
      auto u = static_cast<unsigned char>(c);
      if (u < 33 || u > 126 || c == '[' || c == ']' || c == '\\') return false;
    }
    return true;
  }
  return everyLabel(d, isSubDomain);
}

// Finds the '>' closing a path, skipping quoted strings in the local part.
std::size_t findPathEnd(std::string_view s) {
  bool in_quotes = false;
  for (std::size_t i = 1; i < s.size(); ++i) {
    char c = s[i];
    if (in_quotes) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_quotes = false;
      }
    } else if (c == '"') {
      in_quotes = true;
    } else if (c == '>') {
      return i;
    }
  }
  return std::string_view::npos;
}

struct ParsedPath {
  Mailbox mailbox;
  std::string_view params;
};

Result<ParsedPath, EnvelopeError> parsePath(std::string_view arg, std::string_view keyword,
                                            bool allow_null, bool allow_bare_postmaster) {
  if (!asciiStartsWithIgnoreCase(arg, keyword)) return fail(EnvelopeError::kSyntax);
  arg.remove_prefix(keyword.size());
  // Many clients put a space after the colon; Postfix and Exim accept it, so do we.
  if (!arg.empty() && arg.front() == ' ') arg.remove_prefix(1);
  if (arg.empty() || arg.front() != '<') return fail(EnvelopeError::kSyntax);
  std::size_t close = findPathEnd(arg);
  if (close == std::string_view::npos) return fail(EnvelopeError::kSyntax);
  std::string_view path = arg.substr(1, close - 1);
  std::string_view rest = arg.substr(close + 1);
  if (!rest.empty() && rest.front() != ' ') return fail(EnvelopeError::kSyntax);
  std::size_t params_start = rest.find_first_not_of(' ');
  ParsedPath out;
  out.params =
      params_start == std::string_view::npos ? std::string_view{} : rest.substr(params_start);

  if (path.size() > kMaxPath) return fail(EnvelopeError::kBadAddress);
  if (path.empty()) {
    if (!allow_null) return fail(EnvelopeError::kBadAddress);
    return out;
  }
  if (path.front() == '@') {
    std::size_t colon = path.find(':');
    if (colon == std::string_view::npos) return fail(EnvelopeError::kBadAddress);
    std::string_view route = path.substr(0, colon);
    std::size_t start = 0;
    while (start < route.size()) {
      std::size_t comma = route.find(',', start);
      std::string_view hop = route.substr(start, comma - start);
      if (hop.size() < 2 || hop.front() != '@' || !isDomain(hop.substr(1))) {
        return fail(EnvelopeError::kBadAddress);
      }
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    path.remove_prefix(colon + 1);
  }
  std::size_t at = path.rfind('@');
  std::string_view local = at == std::string_view::npos ? path : path.substr(0, at);
  std::string_view domain = at == std::string_view::npos ? std::string_view{} : path.substr(at + 1);
  if (local.empty() || local.size() > kMaxLocalPart) return fail(EnvelopeError::kBadAddress);
  bool quoted = local.front() == '"';
  if (quoted ? !isQuotedString(local) : !isDotString(local))
    return fail(EnvelopeError::kBadAddress);
  if (at == std::string_view::npos) {
    // RFC 5321 section 4.5.1: "RCPT TO:<Postmaster>" without a domain must be accepted.
    if (!allow_bare_postmaster || !asciiEqualsIgnoreCase(local, "POSTMASTER")) {
      return fail(EnvelopeError::kBadAddress);
    }
  } else if (!isDomain(domain)) {
    return fail(EnvelopeError::kBadAddress);
  }
  out.mailbox.local_part = std::string(local);
  out.mailbox.domain = std::string(domain);
  out.mailbox.quoted = quoted;
  return out;
}

Result<Ok, EnvelopeError> checkCharset(const Mailbox& m, bool smtputf8) {
  if (isAscii(m.local_part) && isAscii(m.domain)) return Ok{};
  if (!isValidUtf8(m.local_part) || !isValidUtf8(m.domain))
    return fail(EnvelopeError::kInvalidUtf8);
  if (!smtputf8) return fail(EnvelopeError::kNonAsciiWithoutSmtputf8);
  return Ok{};
}

bool parseDecimal(std::string_view digits, std::uint64_t& out) {
  if (digits.empty() || digits.size() > 19) return false;
  out = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return true;
}

}  // namespace

std::string Mailbox::address() const {
  if (domain.empty()) return local_part;
  std::string out;
  out.reserve(local_part.size() + 1 + domain.size());
  out.append(local_part).append("@").append(domain);
  return out;
}

Result<MailFrom, EnvelopeError> parseMailFrom(std::string_view argument) {
  auto path = parsePath(argument, "FROM:", true, false);
  if (!path) return fail(path.error());
  MailFrom out;
  out.sender = std::move(path->mailbox);
  std::string_view params = path->params;
  while (!params.empty()) {
    std::size_t space = params.find(' ');
    std::string_view param = params.substr(0, space);
    params = space == std::string_view::npos ? std::string_view{} : params.substr(space + 1);
    if (param.empty()) continue;
    std::size_t eq = param.find('=');
    std::string_view key = param.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? std::string_view{} : param.substr(eq + 1);
    if (asciiEqualsIgnoreCase(key, "SIZE")) {
      std::uint64_t size = 0;
      if (!parseDecimal(value, size)) return fail(EnvelopeError::kSyntax);
      out.size = size;
    } else if (asciiEqualsIgnoreCase(key, "BODY")) {
      if (asciiEqualsIgnoreCase(value, "7BIT")) {
        out.body = BodyType::k7Bit;
      } else if (asciiEqualsIgnoreCase(value, "8BITMIME")) {
        out.body = BodyType::k8BitMime;
      } else {
        return fail(EnvelopeError::kSyntax);
      }
    } else if (asciiEqualsIgnoreCase(key, "SMTPUTF8") && eq == std::string_view::npos) {
      out.smtputf8 = true;
    } else if (asciiEqualsIgnoreCase(key, "AUTH")) {
      // RFC 4954 section 5: who submitted the message, in xtext. Accepted and not passed
      // on: the gateway has no use for it and need not speak AUTH.
      if (value.empty()) return fail(EnvelopeError::kSyntax);
    } else {
      return fail(EnvelopeError::kUnsupportedParameter);
    }
  }
  auto charset = checkCharset(out.sender, out.smtputf8);
  if (!charset) return fail(charset.error());
  return out;
}

Result<RcptTo, EnvelopeError> parseRcptTo(std::string_view argument, bool smtputf8) {
  auto path = parsePath(argument, "TO:", false, true);
  if (!path) return fail(path.error());
  if (!path->params.empty()) return fail(EnvelopeError::kUnsupportedParameter);
  auto charset = checkCharset(path->mailbox, smtputf8);
  if (!charset) return fail(charset.error());
  return RcptTo{std::move(path->mailbox)};
}

}  // namespace ts::smtp
