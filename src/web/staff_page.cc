// The outcome of a POST travels in the redirect's query (?notice=, ?error=): the page
// shows it escaped like any other text, so a forged link can only show words.
#include "web/staff_page.h"

#include <fmt/format.h>

#include "obs/log.h"
#include "web/html.h"

namespace ts {

std::string csrfField(const StaffRequest& request) {
  return fmt::format(R"(<input type="hidden" name="csrf" value="{}">)", escapeHtml(request.csrf));
}

std::string outcomeHtml(const StaffRequest& request) {
  std::string out;
  if (!request.notice.empty())
    out += fmt::format(R"(<p id="notice" class="notice">{}</p>)", escapeHtml(request.notice));
  if (!request.error.empty())
    out += fmt::format(R"(<p id="error" class="error">{}</p>)", escapeHtml(request.error));
  return out;
}

HttpResponse backWithNotice(std::string_view page, std::string_view notice) {
  return redirectTo(fmt::format("{}?notice={}", page, urlEncode(notice)));
}

HttpResponse backWithError(std::string_view page, std::string_view error) {
  return redirectTo(fmt::format("{}?error={}", page, urlEncode(error)));
}

void recordStaffChange(const StaffRequest& request, std::string_view action,
                       std::string_view target, std::string_view result) {
  LogLine("-")
      .kv("event", "web")
      .kv("user", request.user)
      .kv("client", request.http.peer.host())
      .kv("action", action)
      .kv("target", target)
      .kv("result", result);
}

}  // namespace ts
