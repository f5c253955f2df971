// The page runs on the loop, so the scan is bounded twice: at most kRows rows shown and at
// most kScanned records read, however large the log; a domain filter reads only that
// domain's index.
#include "web/staff_decisions.h"

#include <fmt/format.h>

#include <string_view>
#include <vector>

#include "store/decision_log.h"
#include "web/html.h"
#include "web/staff_decision_filter.h"
#include "web/staff_decision_table.h"

namespace ts {
namespace {

constexpr std::size_t kRows = 200;
constexpr std::size_t kScanned = 2000;

std::string option(std::string_view value, std::string_view label, std::string_view chosen) {
  return fmt::format(R"(<option value="{}"{}>{}</option>)", value,
                     value == chosen ? " selected" : "", label);
}

std::string filterForm(const FormFields& query) {
  std::string action = fieldValue(query, "action");
  std::string options = option("", "any", action);
  for (std::string_view a : {"relay", "reject", "tempfail", "quarantine", "abandoned"}) {
    options += option(a, a, action);
  }
  return fmt::format(
      R"(<form id="decision-filter" method="get" action="/staff/decisions">)"
      R"(<label>Sender domain <input type="text" name="domain" value="{}" autocomplete="off" )"
      R"(spellcheck="false"></label> <label>Action <select name="action">{}</select></label> )"
      R"(<label>Reason contains <input type="text" name="reason" value="{}"></label> )"
      R"(<button type="submit">Show</button></form>)",
      escapeHtml(fieldValue(query, "domain")), options, escapeHtml(fieldValue(query, "reason")));
}

HttpResponse page(const StaffRequest& request, int status, std::string_view content) {
  std::string body = outcomeHtml(request) + filterForm(request.http.query) + std::string(content);
  return htmlResponse(status, htmlPage({"Decisions", PageKind::kStaff, request.user}, body));
}

}  // namespace

void showStaffDecisions(const StaffRequest& request, const HttpReply& reply) {
  auto filter = parseDecisionFilter(request.http.query);
  if (!filter) {
    reply(page(
        request, 400,
        fmt::format(R"(<p id="error" class="error">{}</p>)", escapeHtml(filter.error().message))));
    return;
  }
  std::vector<store::DecisionRecord> found;
  std::size_t read = 0;
  store::ReadTransaction txn(*request.services.store);
  Status<> scanned =
      txn.ok() ? store::DecisionLog::scanNewest(txn.get(), request.services.store->dbs(),
                                                filter->domain, kScanned,
                                                [&](const store::DecisionRecord& r) {
                                                  ++read;
                                                  if (filter->matches(r)) found.push_back(r);
                                                  return found.size() < kRows;
                                                })
               : Status<>(fail("the store cannot be read: " + store::storeError(txn.beginError())));
  if (!scanned) {
    reply(page(
        request, 503,
        fmt::format(R"(<p id="error" class="error">{}</p>)", escapeHtml(scanned.error().message))));
    return;
  }
  std::string note;
  if (found.size() == kRows) {
    note = fmt::format("The newest {} matching decisions; narrow the filter to see older ones.",
                       kRows);
  } else if (read == kScanned) {
    note = fmt::format(
        "Only the newest {} decisions were searched; filter by sender domain to reach older ones.",
        kScanned);
  } else if (found.empty()) {
    note = "No decisions match.";
  }
  std::string content = decisionTableHtml(found);
  if (!note.empty()) content += fmt::format(R"(<p class="muted">{}</p>)", escapeHtml(note));
  reply(page(request, 200, content));
}

}  // namespace ts
