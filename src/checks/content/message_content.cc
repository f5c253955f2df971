// Reads a message once for the content rules: GMime parses the MIME structure, decodes
// headers, transfer encodings and charsets; libxml2 reads HTML the way a mail client would
// render it. Work is bounded (text, HTML input, URLs and nesting are capped), because the
// sender chooses every byte of it.
#include "checks/content/message_content.h"

#include <gmime/gmime.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <re2/re2.h>

#include <algorithm>
#include <memory>
#include <unordered_set>

#include "checks/dmarc/from_header.h"
#include "checks/mime/gmime_safe_text.h"
#include "util/ascii.h"

namespace ts {
namespace {

constexpr std::size_t kMaxText = 1024 * 1024;
// HTML is read before it is cut to text; a part beyond this is read only this far.
constexpr std::size_t kMaxHtmlInput = 4 * 1024 * 1024;
constexpr std::size_t kMaxUrls = 1000;
// Nested multiparts and attached messages deeper than this are not read: no real alert
// nests that far, and recursion must stay bounded.
constexpr int kMaxDepth = 32;
constexpr int kMaxHtmlDepth = 256;

struct GObjectUnref {
  void operator()(gpointer object) const { g_object_unref(object); }
};
template <typename T>
using GObjectPtr = std::unique_ptr<T, GObjectUnref>;

struct GFree {
  void operator()(gpointer p) const { g_free(p); }
};
using GChars = std::unique_ptr<char, GFree>;

struct XmlDocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};

// Invalid UTF-8 becomes U+FFFD, so every regex reads well-formed text.
std::string validUtf8(std::string_view text) {
  if (g_utf8_validate(text.data(), static_cast<gssize>(text.size()), nullptr)) {
    return std::string(text);
  }
  GChars fixed(g_utf8_make_valid(text.data(), static_cast<gssize>(text.size())));
  return fixed ? std::string(fixed.get()) : std::string();
}

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

// The host of a URL ("http://user@Example.COM.:8080/x" gives "example.com"), or empty.
std::string hostOf(std::string_view url) {
  std::size_t scheme = url.find("://");
  std::string_view rest = scheme == std::string_view::npos ? url : url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#\\"));
  if (std::size_t at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
  if (!rest.empty() && rest.front() == '[') {
    std::size_t close = rest.find(']');
    if (close == std::string_view::npos) return {};
    return asciiLower(rest.substr(1, close - 1));
  }
  rest = rest.substr(0, rest.find(':'));
  while (!rest.empty() && rest.back() == '.') rest.remove_suffix(1);
  return asciiLower(rest);
}

// GMime parsed the field from its raw form, so a display name whose encoded words hold a
// comma or quotes is still one name.
std::string fromName(InternetAddressList* from) {
  if (!from || internet_address_list_length(from) == 0) return {};
  InternetAddress* address = internet_address_list_get_address(from, 0);
  const char* name = internet_address_get_name(address);
  if (name && *name) return validUtf8(name);
  if (!INTERNET_ADDRESS_IS_MAILBOX(address)) return {};
  const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address));
  return addr ? validUtf8(addr) : std::string();
}

class Extractor {
 public:
  explicit Extractor(MessageContent& out) : out_(out) {}

  void readHeaders(GMimeObject* object) {
    GMimeHeaderList* list = g_mime_object_get_header_list(object);
    int count = list ? g_mime_header_list_get_count(list) : 0;
    out_.headers.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) {
      GMimeHeader* header = g_mime_header_list_get_header_at(list, i);
      const char* name = g_mime_header_get_name(header);
      const char* value = g_mime_header_get_value(header);
      out_.headers.push_back(
          MessageHeader{validUtf8(name ? name : ""), trimmed(validUtf8(value ? value : ""))});
    }
  }

  void readPart(GMimeObject* object, int depth) {
    if (!object || depth > kMaxDepth) return;
    if (GMIME_IS_MULTIPART(object)) {
      GMimeMultipart* multipart = GMIME_MULTIPART(object);
      int count = g_mime_multipart_get_count(multipart);
      for (int i = 0; i < count; ++i) readPart(g_mime_multipart_get_part(multipart, i), depth + 1);
      return;
    }
    if (GMIME_IS_MESSAGE_PART(object)) {
      GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
      if (inner) readPart(g_mime_message_get_mime_part(inner), depth + 1);
      return;
    }
    if (!GMIME_IS_PART(object)) return;
    GMimePart* part = GMIME_PART(object);
    GMimeContentType* type = g_mime_object_get_content_type(object);
    const char* filename = g_mime_part_get_filename(part);
    bool attached = g_mime_part_is_attachment(part) || (filename && *filename);
    bool plain = type && g_mime_content_type_is_type(type, "text", "plain");
    bool html = type && g_mime_content_type_is_type(type, "text", "html");
    if (attached || !(plain || html) || !GMIME_IS_TEXT_PART(object)) {
      GChars mime_type(type ? g_mime_content_type_get_mime_type(type) : nullptr);
      out_.attachments.push_back(
          MessageAttachment{validUtf8(filename ? filename : ""),
                            mime_type ? asciiLower(mime_type.get()) : std::string("text/plain")});
      return;
    }
    if (out_.text.size() >= kMaxText) return;
    GChars decoded(g_mime_text_part_get_text(GMIME_TEXT_PART(object)));
    if (!decoded) return;
    std::string_view raw(decoded.get());
    std::size_t start = out_.text.size();
    if (start > 0) out_.text.push_back('\n');
    if (html) {
      appendHtml(validUtf8(raw.substr(0, kMaxHtmlInput)));
    } else {
      std::size_t begin = out_.text.size();
      appendPlain(validUtf8(raw));
      out_.plain_parts.push_back(TextSpan{begin, out_.text.size()});
    }
    scanUrls(std::string_view(out_.text).substr(start));
  }

  void finish() {
    if (out_.text.size() < kMaxText) return;
    out_.text.resize(kMaxText);
    // The cut may split a character: the text ends before it, so it stays valid UTF-8.
    const gchar* valid_end = nullptr;
    g_utf8_validate(out_.text.data(), static_cast<gssize>(out_.text.size()), &valid_end);
    out_.text.resize(static_cast<std::size_t>(valid_end - out_.text.data()));
    for (TextSpan& span : out_.plain_parts) {
      span.begin = std::min(span.begin, out_.text.size());
      span.end = std::min(span.end, out_.text.size());
    }
  }

 private:
  static std::string trimmed(std::string s) {
    std::size_t b = 0;
    while (b < s.size() && isSpace(s[b])) ++b;
    std::size_t e = s.size();
    while (e > b && isSpace(s[e - 1])) --e;
    return s.substr(b, e - b);
  }

  // Line ends become "\n", so "$" and "\n" in rules mean the same in every message.
  void appendPlain(std::string_view text) {
    for (char c : text) {
      if (out_.text.size() >= kMaxText) return;
      if (c != '\r') out_.text.push_back(c);
    }
  }

  // The HTML is valid UTF-8 already: libxml2 would otherwise switch to Latin-1 midway.
  void appendHtml(const std::string& html) {
    std::unique_ptr<xmlDoc, XmlDocFree> doc(
        htmlReadMemory(html.data(), static_cast<int>(html.size()), nullptr, "UTF-8",
                       HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                           HTML_PARSE_NONET | HTML_PARSE_IGNORE_ENC));
    if (!doc) return;
    pending_space_ = false;
    walkHtml(xmlDocGetRootElement(doc.get()), 0);
  }

  static bool isNamed(const xmlNode* node, const char* name) {
    return node->name && xmlStrcasecmp(node->name, reinterpret_cast<const xmlChar*>(name)) == 0;
  }

  // Elements that start a new line when rendered; between inline elements words run on.
  static bool isBlock(const xmlNode* node) {
    static constexpr const char* kBlocks[] = {
        "p",  "div",        "br",  "tr",      "li",      "ul",     "ol",     "table",
        "h1", "h2",         "h3",  "h4",      "h5",      "h6",     "td",     "th",
        "hr", "blockquote", "pre", "section", "article", "header", "footer", "center",
        "dd", "dt",         "dl",  "form",    "address", "title",  "body"};
    for (const char* name : kBlocks) {
      if (isNamed(node, name)) return true;
    }
    return false;
  }

  // Not rendered: scripts, styles and the head's metadata.
  static bool isHidden(const xmlNode* node) {
    return isNamed(node, "script") || isNamed(node, "style") || isNamed(node, "head") ||
           isNamed(node, "template");
  }

  void walkHtml(xmlNode* node, int depth) {
    for (; node && depth < kMaxHtmlDepth; node = node->next) {
      if (out_.text.size() >= kMaxText) return;
      if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
        if (node->content) appendWords(reinterpret_cast<const char*>(node->content));
        continue;
      }
      if (node->type != XML_ELEMENT_NODE || isHidden(node)) continue;
      if (isNamed(node, "a")) collectHref(node);
      bool block = isBlock(node);
      if (block) breakLine();
      walkHtml(node->children, depth + 1);
      if (block) breakLine();
    }
  }

  void breakLine() {
    pending_space_ = false;
    if (!out_.text.empty() && out_.text.back() != '\n') out_.text.push_back('\n');
  }

  // Whitespace (and no-break spaces) in HTML text collapses to one space, as rendered.
  void appendWords(std::string_view valid) {
    for (std::size_t i = 0; i < valid.size(); ++i) {
      char c = valid[i];
      bool nbsp = c == '\xC2' && i + 1 < valid.size() && valid[i + 1] == '\xA0';
      if (isSpace(c) || nbsp) {
        if (nbsp) ++i;
        pending_space_ = true;
        continue;
      }
      if (out_.text.size() >= kMaxText) return;
      if (pending_space_ && !out_.text.empty() && out_.text.back() != '\n') {
        out_.text.push_back(' ');
      }
      pending_space_ = false;
      out_.text.push_back(c);
    }
  }

  void collectHref(xmlNode* node) {
    xmlChar* href = xmlGetProp(node, reinterpret_cast<const xmlChar*>("href"));
    if (!href) return;
    std::string_view value(reinterpret_cast<const char*>(href));
    while (!value.empty() && isSpace(value.front())) value.remove_prefix(1);
    while (!value.empty() && isSpace(value.back())) value.remove_suffix(1);
    if (asciiStartsWithIgnoreCase(value, "http://") ||
        asciiStartsWithIgnoreCase(value, "https://") || asciiStartsWithIgnoreCase(value, "www.")) {
      addUrl(value);
    }
    xmlFree(href);
  }

  void scanUrls(std::string_view text) {
    // RE2's \b is ASCII; a link ends at whitespace, quotes or brackets.
    static const RE2 kUrl(R"((?i)\b((?:https?://|www\.)[^\s<>"'()\[\]{}]+))");
    re2::StringPiece input(text.data(), text.size());
    re2::StringPiece match;
    while (out_.urls.size() < kMaxUrls && RE2::FindAndConsume(&input, kUrl, &match)) {
      std::string_view found(match.data(), match.size());
      while (!found.empty() && std::string_view(".,;:!?").find(found.back()) != found.npos) {
        found.remove_suffix(1);
      }
      addUrl(found);
    }
  }

  void addUrl(std::string_view found) {
    if (out_.urls.size() >= kMaxUrls) return;
    std::string url = asciiStartsWithIgnoreCase(found, "www.") ? "http://" + std::string(found)
                                                               : std::string(found);
    if (!seen_.insert(url).second) return;
    std::string host = hostOf(url);
    out_.urls.push_back(MessageUrl{validUtf8(url), validUtf8(host)});
  }

  MessageContent& out_;
  std::unordered_set<std::string> seen_;
  bool pending_space_ = false;
};

}  // namespace

const MessageHeader* MessageContent::header(std::string_view name) const {
  for (const MessageHeader& h : headers) {
    if (asciiEqualsIgnoreCase(h.name, name)) return &h;
  }
  return nullptr;
}

MessageContent extractContent(std::string_view raw_message) {
  initFromHeaderParser();
  MessageContent content;
  content.size = raw_message.size();
  std::string patched;
  std::string_view safe = gmimeSafeText(raw_message, patched);
  GObjectPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(safe.data(), safe.size()));
  GObjectPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  g_mime_parser_set_format(parser.get(), GMIME_FORMAT_MESSAGE);
  GObjectPtr<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), nullptr));
  if (!message) return content;
  Extractor extractor(content);
  extractor.readHeaders(GMIME_OBJECT(message.get()));
  content.from_name = fromName(g_mime_message_get_from(message.get()));
  extractor.readPart(g_mime_message_get_mime_part(message.get()), 0);
  extractor.finish();
  return content;
}

}  // namespace ts
