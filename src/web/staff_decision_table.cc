// Times in UTC, like textscreenctl and the log: two members of staff in different zones
// read the same moment.
#include "web/staff_decision_table.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <ctime>

#include "web/html.h"

namespace ts {

std::string staffTime(std::int64_t unix_seconds) {
  if (unix_seconds == 0) return "-";
  return fmt::format("{:%Y-%m-%d %H:%M:%S} UTC",
                     fmt::gmtime(static_cast<std::time_t>(unix_seconds)));
}

std::string decisionTableHtml(const std::vector<store::DecisionRecord>& records) {
  std::string rows;
  for (const store::DecisionRecord& r : records) {
    std::string ref = escapeHtml(r.ref);
    rows += fmt::format(
        R"(<tr data-ref="{0}"><td class="time">{1}</td><td class="ref"><a href="/staff/lookup?q={2}">{0}</a></td>)"
        R"(<td class="action action-{3}">{3}</td><td class="from">{4}</td><td class="helo">{5}</td>)"
        R"(<td class="reason">{6}</td></tr>)",
        ref, escapeHtml(staffTime(r.time)), escapeHtml(urlEncode(r.ref)), escapeHtml(r.action),
        escapeHtml(r.mail_from.empty() ? "<>" : r.mail_from), escapeHtml(r.helo),
        escapeHtml(r.reason));
  }
  return fmt::format(
      R"(<div class="table-wrap"><table id="decisions"><thead><tr><th scope="col">Time</th>)"
      R"(<th scope="col">Reference</th><th scope="col">Action</th><th scope="col">From</th>)"
      R"(<th scope="col">HELO</th><th scope="col">Reason</th></tr></thead><tbody>{}</tbody>)"
      R"(</table></div>)",
      rows);
}

}  // namespace ts
