// Surges live in the daemon's memory, not the store: ending one is immediate, and the
// tracker logs and counts it as cleared like the control socket's `surge clear`.
#include "web/staff_surges.h"

#include <fmt/format.h>

#include <chrono>

#include "checks/surge/surge_tracker.h"
#include "web/html.h"
#include "web/staff_decision_table.h"

namespace ts {
namespace {

constexpr std::string_view kPage = "/staff/surges";

std::int64_t epoch(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::string surgeRow(const StaffRequest& request, const SurgeEntry& e, std::chrono::seconds hold) {
  std::string id = escapeHtml(e.id);
  return fmt::format(
      R"(<tr data-surge="{0}"><td class="id">{0}</td><td class="level">{1}</td>)"
      R"(<td class="since">{2}</td><td class="ends">{3}</td><td class="messages">{4}</td>)"
      R"(<td class="networks">{5}</td><td class="senders">{6}</td><td class="recipients">{7}</td>)"
      R"(<td><form class="surge-end" method="post" action="/staff/surges/end">{8})"
      R"(<input type="hidden" name="id" value="{0}"><button type="submit" class="secondary">)"
      R"(End</button></form></td></tr>)",
      id, e.level == SurgeLevel::kConfirmed ? "confirmed" : "surge",
      escapeHtml(staffTime(epoch(e.since))), escapeHtml(staffTime(epoch(e.last_seen + hold))),
      e.messages, e.networks, e.senders, e.recipients, csrfField(request));
}

}  // namespace

void showStaffSurges(const StaffRequest& request, const HttpReply& reply) {
  std::chrono::seconds hold =
      std::chrono::duration_cast<std::chrono::seconds>(request.services.config().surge.hold);
  std::string rows;
  std::size_t count = 0;
  for (const SurgeEntry& e : request.services.surges->list()) {
    rows += surgeRow(request, e, hold);
    ++count;
  }
  std::string body =
      outcomeHtml(request) +
      fmt::format(R"(<div class="table-wrap"><table id="surges"><thead><tr>)"
                  R"(<th scope="col">Surge</th><th scope="col">Level</th>)"
                  R"(<th scope="col">Since</th><th scope="col">Ends</th>)"
                  R"(<th scope="col">Messages</th><th scope="col">Networks</th>)"
                  R"(<th scope="col">Senders</th><th scope="col">Recipients</th>)"
                  R"(<th scope="col"></th></tr></thead><tbody>{}</tbody></table></div>)",
                  rows);
  body += count == 0 ? R"(<p class="muted">No surge is active.</p>)"
                     : R"(<p class="muted">A surge ends by itself when no message keeps it )"
                       R"(going for <code>surge_hold</code>; ending it here also forgets its )"
                       R"(counters.</p>)";
  reply(htmlResponse(200, htmlPage({"Surges", PageKind::kStaff, request.user}, body)));
}

void endStaffSurge(const StaffRequest& request, const HttpReply& reply) {
  std::string id = fieldValue(request.http.form, "id");
  // An empty id would end every surge (SurgeTracker::clear("")): never from one button.
  if (id.empty()) {
    recordStaffChange(request, "surge-end", "", "refused: no surge named");
    reply(backWithError(kPage, "No surge was named; use the End button of its row."));
    return;
  }
  std::size_t ended = request.services.surges->clear(id);
  if (ended == 0) {
    recordStaffChange(request, "surge-end", id, "failed: not active");
    reply(backWithError(kPage, fmt::format("No surge {} is active (it may have ended).", id)));
    return;
  }
  recordStaffChange(request, "surge-end", id, "ok");
  reply(backWithNotice(kPage, fmt::format("Surge {} ended.", id)));
}

}  // namespace ts
