// GMime reads the address (display names, comments, quoted local parts and encoded words
// are where hand-written parsers go wrong); this file only finds the From: fields, unfolds
// them and judges the one domain GMime returns.
#include "checks/dmarc/from_header.h"

#include <gmime/gmime.h>

#include <memory>
#include <vector>

#include "checks/mime/gmime_safe_text.h"
#include "util/ascii.h"
#include "util/domain_labels.h"

namespace ts {
namespace {

constexpr std::string_view kFix = "; fix the sending software";

struct GObjectUnref {
  void operator()(gpointer object) const { g_object_unref(object); }
};
using AddressList = std::unique_ptr<InternetAddressList, GObjectUnref>;

// One line of the header section without its line end; false after the last one.
bool nextLine(std::string_view message, std::size_t& pos, std::string_view& line) {
  if (pos >= message.size()) return false;
  std::size_t end = message.find('\n', pos);
  std::size_t next = end == std::string_view::npos ? message.size() : end + 1;
  line = message.substr(pos, (end == std::string_view::npos ? message.size() : end) - pos);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  pos = next;
  return true;
}

bool isWsp(char c) {
  return c == ' ' || c == '\t';
}

// The unfolded values of every From: field (RFC 5322 2.2.3: unfolding removes the line
// breaks, the whitespace after them stays). Names compare without case; obsolete syntax
// allows whitespace before the colon (RFC 5322 4.5).
std::vector<std::string> fromFields(std::string_view message) {
  std::vector<std::string> values;
  bool in_from = false;
  std::size_t pos = 0;
  std::string_view line;
  while (nextLine(message, pos, line) && !line.empty()) {
    if (isWsp(line.front())) {
      if (in_from) values.back().append(line);
      continue;
    }
    in_from = false;
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = line.substr(0, colon);
    while (!name.empty() && isWsp(name.back())) name.remove_suffix(1);
    if (!asciiEqualsIgnoreCase(name, "From")) continue;
    in_from = true;
    values.emplace_back(line.substr(colon + 1));
  }
  return values;
}

// Letters, digits, hyphens and underscores (some real domains have them), and UTF-8 bytes
// of a name IDNA could not convert (looked up as written; it will not be found).
bool isDomainLabel(std::string_view label) {
  if (label.empty() || label.size() > 63) return false;
  for (char c : label) {
    auto u = static_cast<unsigned char>(c);
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || u >= 0x80;
    if (!ok) return false;
  }
  return true;
}

// Whether a comment, quoted string or domain literal is left open at the end (RFC 5322
// 3.2.2-3.2.4; '(' inside quotes or a literal is plain text). Such a field is malformed;
// saying so here gives the sender a clearer reason than GMime's reading would.
bool hasOpenConstruct(std::string_view value) {
  int depth = 0;
  bool quoted = false;
  bool literal = false;
  for (std::size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c == '\\') {
      ++i;
    } else if (quoted) {
      quoted = c != '"';
    } else if (literal) {
      literal = c != ']';
    } else if (c == '(') {
      ++depth;
    } else if (c == ')' && depth > 0) {
      --depth;
    } else if (depth == 0) {
      quoted = c == '"';
      literal = c == '[';
    }
  }
  return depth > 0 || quoted || literal;
}

Result<std::string> domainOf(const std::string& value) {
  if (hasOpenConstruct(value)) {
    return fail(
        "DMARC: the From: field has a comment, quoted string or address literal that is "
        "never closed; the message must have exactly one From: address" +
        std::string(kFix));
  }
  initFromHeaderParser();
  std::string patched;
  std::string safe(gmimeSafeText(value, patched));
  AddressList list(internet_address_list_parse(nullptr, safe.c_str()));
  int count = list ? internet_address_list_length(list.get()) : 0;
  if (count == 0) {
    return fail(
        "DMARC: the From: field holds no address; every message must have exactly one "
        "From: address" +
        std::string(kFix));
  }
  if (count > 1) {
    return fail("DMARC: the From: field holds " + std::to_string(count) +
                " addresses; the message must have exactly one From: address" + std::string(kFix));
  }
  InternetAddress* address = internet_address_list_get_address(list.get(), 0);
  if (!INTERNET_ADDRESS_IS_MAILBOX(address)) {
    return fail(
        "DMARC: the From: field holds a group, not one mailbox; the message must have "
        "exactly one From: address" +
        std::string(kFix));
  }
  // The IDNA form (A-labels), not get_addr: GMime decodes xn-- labels there, and DNS and
  // DKIM d= speak A-labels. A name IDNA cannot convert is kept as written.
  const char* idn = internet_address_mailbox_get_idn_addr(INTERNET_ADDRESS_MAILBOX(address));
  std::string_view addr = idn ? idn : "";
  std::size_t at = addr.rfind('@');
  std::string domain =
      at == std::string_view::npos ? std::string() : asciiLower(addr.substr(at + 1));
  if (!domain.empty() && domain.back() == '.') domain.pop_back();
  if (domain.empty() || domain.size() > 253 || !everyLabel(domain, isDomainLabel)) {
    return fail(
        "DMARC: the From: address has no valid domain; the message must have exactly "
        "one From: address with a domain" +
        std::string(kFix));
  }
  return domain;
}

}  // namespace

// g_mime_init sets process-wide tables once; it is never undone, because another part of
// the process may use GMime too and glib types cannot be registered twice.
void initFromHeaderParser() {
  static const bool done = [] {
    g_mime_init();
    return true;
  }();
  (void)done;
}

Result<std::string> fromDomain(std::string_view message) {
  std::vector<std::string> fields = fromFields(message);
  if (fields.empty()) {
    return fail("DMARC: the message has no From: field; it must have exactly one From: address" +
                std::string(kFix));
  }
  if (fields.size() > 1) {
    return fail("DMARC: the message has " + std::to_string(fields.size()) +
                " From: fields; it must have exactly one From: address" + std::string(kFix));
  }
  return domainOf(fields.front());
}

}  // namespace ts
