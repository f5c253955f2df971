// The figures are status()'s, the same the metrics endpoint and `textscreenctl status`
// give, so the three never disagree.
#include "web/staff_overview.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "web/html.h"

namespace ts {
namespace {

void row(std::string& out, std::string_view name, const nlohmann::json& value) {
  std::string text = value.is_string() ? value.get<std::string>() : value.dump();
  out += fmt::format("<tr><th scope=\"row\">{}</th><td>{}</td></tr>", escapeHtml(name),
                     escapeHtml(text));
}

}  // namespace

void showStaffOverview(const StaffRequest& request, const HttpReply& reply) {
  nlohmann::json s = request.services.status();
  std::string rows;
  row(rows, "Open connections", s["connections"]);
  row(rows, "Connections accepted", s["connections_accepted"]);
  row(rows, "Active surges", s["surges_active"]);
  row(rows, "Quarantined messages", s["quarantined"]);
  row(rows, "Decisions in the log", s["decisions"]);
  row(rows, "Idle gateway connections", s["gateway_pool_idle"]);
  row(rows, "Gateway connections in use", s["gateway_pool_in_use"]);
  row(rows, "Overloaded now", s["limits"]["overloaded"]);
  row(rows, "Uptime (seconds)", s["uptime_seconds"]);
  row(rows, "Configuration generation", s["generation"]);
  std::string body = fmt::format(
      "{}<div class=\"table-wrap\"><table id=\"counters\"><tbody>{}</tbody></table></div>"
      "<p class=\"muted\">The same figures as GET /metrics and <code>textscreenctl "
      "status</code>.</p>",
      outcomeHtml(request), rows);
  reply(htmlResponse(200, htmlPage({"Overview", PageKind::kStaff, request.user}, body)));
}

}  // namespace ts
