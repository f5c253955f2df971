// HTML for the web pages: escaping of every string that did not come from this code
// (HELO names, addresses and reasons are chosen by senders), and the one page layout
// with its stylesheet and script, served from textscreen itself.
#pragma once

#include <string>
#include <string_view>

#include "web/http_exchange.h"

namespace ts {

// & < > " ' as entities, control bytes dropped, each byte of ill-formed UTF-8 as U+FFFD:
// safe in element text and in quoted attribute values.
std::string escapeHtml(std::string_view text);
// A value for a query string or form field: %XX for everything but unreserved bytes.
std::string urlEncode(std::string_view text);

enum class PageKind { kPublic, kStaff };

// A whole document: the layout, the title (escaped here) and body_html, which the page
// built from escaped parts. Staff pages carry the dashboard's navigation and the user.
struct PageFrame {
  std::string_view title;
  PageKind kind = PageKind::kPublic;
  std::string_view user;  // staff pages: who is signed in
};
std::string htmlPage(const PageFrame& frame, std::string_view body_html);

HttpResponse htmlResponse(int status, std::string document);
// 303 See Other: a POST's answer, so a reload does not send the form again.
HttpResponse redirectTo(std::string location);
// A short page for errors: the status, a title and one escaped sentence in <p id="error">.
HttpResponse errorPage(int status, std::string_view title, std::string_view message,
                       PageKind kind = PageKind::kPublic);

}  // namespace ts
