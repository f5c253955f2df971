// Escaping keeps well-formed UTF-8 as it is, so a sender's name in another script still
// reads right, and turns everything else into text that cannot open a tag or attribute.
#include "web/html.h"

#include <fmt/format.h>

#include "util/utf8.h"

namespace ts {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

constexpr std::string_view kStaffNav =
    R"(<nav class="staff-nav"><a href="/staff/">Overview</a> <a href="/staff/decisions">Decisions</a> )"
    R"(<a href="/staff/lookup">Lookup</a> <a href="/staff/allowlist">Allowlist</a> )"
    R"(<a href="/staff/quarantine">Quarantine</a> <a href="/staff/surges">Surges</a></nav>)";

}  // namespace

std::string escapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  while (!text.empty()) {
    auto c = static_cast<unsigned char>(text.front());
    if (c >= 0x80) {
      std::size_t n = utf8SequenceLength(text);
      if (n == 0) {
        out += kReplacement;
        text.remove_prefix(1);
      } else {
        out += text.substr(0, n);
        text.remove_prefix(n);
      }
      continue;
    }
    text.remove_prefix(1);
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        if (c >= 0x20 && c != 0x7f) {
          out += static_cast<char>(c);
        } else if (c == '\n' || c == '\t') {
          out += ' ';
        }
    }
  }
  return out;
}

std::string urlEncode(std::string_view text) {
  std::string out;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += ch;
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string htmlPage(const PageFrame& frame, std::string_view body_html) {
  std::string title = escapeHtml(frame.title);
  bool staff = frame.kind == PageKind::kStaff;
  std::string header =
      staff ? fmt::format(R"(<header><span class="brand">textscreen staff</span>{}<span )"
                          R"(class="user">{}</span></header>)",
                          kStaffNav, escapeHtml(frame.user))
            : std::string(R"(<header><span class="brand">textscreen</span></header>)");
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>{0}</title><link rel=\"stylesheet\" href=\"/static/style.css\">"
      "<script src=\"/static/app.js\" defer></script></head>\n"
      "<body class=\"{1}\">{2}<main><h1>{0}</h1>\n{3}</main></body></html>\n",
      title, staff ? "staff" : "public", header, body_html);
}

HttpResponse htmlResponse(int status, std::string document) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(document);
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

HttpResponse redirectTo(std::string location) {
  HttpResponse response;
  response.status = 303;
  response.content_type = "text/plain; charset=utf-8";
  response.body = "See " + location + "\n";
  response.headers.emplace_back("Location", std::move(location));
  return response;
}

HttpResponse errorPage(int status, std::string_view title, std::string_view message,
                       PageKind kind) {
  std::string body = fmt::format(R"(<p id="error" class="error">{}</p>)", escapeHtml(message));
  return htmlResponse(status, htmlPage(PageFrame{title, kind, ""}, body));
}

}  // namespace ts
