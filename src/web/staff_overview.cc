// The figures are status()'s, the same the metrics endpoint and `textscreenctl status`
// give, so the three never disagree. A figure status() lacks shows as "-" rather than
// failing the page.
#include "web/staff_overview.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "web/html.h"

namespace ts {
namespace {

std::string text(const nlohmann::json& value) {
  if (value.is_null()) return "-";
  if (value.is_boolean()) return value.get<bool>() ? "yes" : "no";
  return value.is_string() ? value.get<std::string>() : value.dump();
}

// A nested figure, "-" when any step is missing.
const nlohmann::json& at(const nlohmann::json& s, std::initializer_list<const char*> path) {
  static const nlohmann::json kMissing;
  const nlohmann::json* v = &s;
  for (const char* key : path) {
    if (!v->is_object() || !v->contains(key)) return kMissing;
    v = &(*v)[key];
  }
  return *v;
}

class CounterTable {
 public:
  explicit CounterTable(const nlohmann::json& status) : s_(status) {}

  void group(std::string_view title) {
    out_ += fmt::format(R"(<tr class="group"><th colspan="2" scope="rowgroup">{}</th></tr>)",
                        escapeHtml(title));
  }
  void row(std::string_view key, std::string_view name, const nlohmann::json& value) {
    out_ += fmt::format(R"(<tr data-counter="{}"><th scope="row">{}</th><td>{}</td></tr>)",
                        escapeHtml(key), escapeHtml(name), escapeHtml(text(value)));
  }
  void row(std::string_view key, std::string_view name, std::initializer_list<const char*> path) {
    row(key, name, at(s_, path));
  }
  std::string html() const {
    return fmt::format(R"(<table id="counters"><tbody>{}</tbody></table>)", out_);
  }

 private:
  const nlohmann::json& s_;
  std::string out_;
};

// "12 (recipient 10, ban 2)" for one action of status()'s outcomes.
std::string byCause(const nlohmann::json& causes) {
  std::uint64_t total = 0;
  std::string parts;
  for (const auto& [cause, count] : causes.items()) {
    if (!count.is_number_integer()) continue;
    total += count.get<std::uint64_t>();
    parts += fmt::format("{}{} {}", parts.empty() ? "" : ", ", cause, count.get<std::uint64_t>());
  }
  return parts.empty() ? std::to_string(total) : fmt::format("{} ({})", total, parts);
}

// "40 (pass 37, fail 2, timeout 1)": how often a check ran and how it went.
std::string checkOutcomes(const nlohmann::json& c) {
  if (!c.is_object()) return text(c);
  std::string parts;
  for (const char* k : {"pass", "fail", "temperror", "timeout", "skip", "errors"}) {
    if (!c.contains(k) || c[k] == 0) continue;
    parts += fmt::format("{}{} {}", parts.empty() ? "" : ", ", k, text(c[k]));
  }
  std::string total = text(c.value("total", nlohmann::json(0)));
  return parts.empty() ? total : fmt::format("{} ({})", total, parts);
}

}  // namespace

std::string countersTableHtml(const nlohmann::json& s) {
  CounterTable t(s);
  t.group("Connections");
  t.row("connections", "Open connections", {"connections"});
  t.row("connections_accepted", "Connections accepted", {"connections_accepted"});
  t.row("overloaded", "Overloaded now", {"limits", "overloaded"});
  t.row("refused_overload", "Refused while overloaded", {"limits", "refused_overload"});
  t.group("Decisions by action");
  const nlohmann::json& outcomes = at(s, {"outcomes"});
  if (outcomes.is_object() && !outcomes.empty()) {
    for (const auto& [action, causes] : outcomes.items()) {
      t.row("outcome-" + action, action, byCause(causes));
    }
  } else {
    t.row("outcomes", "Decisions since start", "none yet");
  }
  t.row("decisions", "Decisions in the log", {"decisions"});
  t.group("Checks");
  const nlohmann::json& checks = at(s, {"checks"});
  if (checks.is_object() && !checks.empty()) {
    for (const auto& [name, c] : checks.items()) t.row("check-" + name, name, checkOutcomes(c));
  } else {
    t.row("checks", "Checks run", "none yet");
  }
  if (at(s, {"upstream"}) != "sms_api") {
    t.group("Gateway");
    t.row("gateway_pool_idle", "Idle gateway connections", {"gateway_pool_idle"});
    t.row("gateway_pool_in_use", "Gateway connections in use", {"gateway_pool_in_use"});
    t.row("gateway_connections_opened", "Gateway connections opened",
          {"gateway_connections_opened"});
    t.row("gateway_unreachable", "Gateway unreachable", {"gateway_failures", "unreachable"});
    t.row("gateway_timeout", "Gateway timeouts", {"gateway_failures", "timeout"});
    t.row("gateway_lost", "Gateway connections lost", {"gateway_failures", "lost"});
  }
  if (at(s, {"sms_api"}).is_object()) {
    t.group("SMS API");
    const nlohmann::json& results = at(s, {"sms_api", "results"});
    t.row("sms_api_results", "Requests by result",
          results.is_object() && !results.empty() ? byCause(results) : "none yet");
    t.row("sms_api_in_flight", "Requests awaiting an answer", {"sms_api", "in_flight"});
    t.row("sms_api_paused_seconds", "Paused by Retry-After (seconds left)",
          {"sms_api", "paused_seconds"});
    t.row("sms_api_recipients_deferred", "Recipients deferred by a pause",
          {"sms_api", "recipients_deferred"});
  }
  t.group("DNS cache");
  t.row("dns_cache_entries", "Cached answers", {"dns_cache_entries"});
  t.row("dns_in_flight", "Queries in flight", {"dns_in_flight"});
  t.row("dns_cache_hits", "Cache hits", {"dns_cache_hits"});
  t.row("dns_cache_misses", "Cache misses", {"dns_cache_misses"});
  t.group("Surges");
  t.row("surges_active", "Active surges", {"surges_active"});
  t.row("surge_entered", "Surges entered", {"surge", "entered"});
  t.row("surge_cleared", "Surges ended by staff", {"surge", "cleared"});
  t.row("surge_deferred", "Messages deferred in a surge", {"surge", "deferred"});
  t.row("surge_rejected", "Messages refused in a surge", {"surge", "rejected"});
  t.group("Store");
  t.row("quarantined", "Quarantined messages", {"quarantined"});
  t.row("store_bytes", "Store size (bytes)", {"store_bytes"});
  t.row("store_writer_queue", "Writes queued", {"store_writer_queue"});
  t.group("Daemon");
  t.row("uptime_seconds", "Uptime (seconds)", {"uptime_seconds"});
  t.row("generation", "Configuration generation", {"generation"});
  return t.html();
}

void showStaffOverview(const StaffRequest& request, const HttpReply& reply) {
  std::string body = fmt::format(
      R"({}<div class="table-wrap" data-refresh="/staff/fragment/counters" data-every="5">{})"
      R"(</div><p class="muted">The same figures as GET /metrics and <code>textscreenctl )"
      R"(status</code>, refreshed every few seconds.</p>)",
      outcomeHtml(request), countersTableHtml(request.services.status()));
  reply(htmlResponse(200, htmlPage({"Overview", PageKind::kStaff, request.user}, body)));
}

void showStaffCounters(const StaffRequest& request, const HttpReply& reply) {
  HttpResponse response = htmlResponse(200, countersTableHtml(request.services.status()));
  response.headers.emplace_back("Cache-Control", "no-store");
  reply(std::move(response));
}

}  // namespace ts
