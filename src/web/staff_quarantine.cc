// One read transaction on the loop, like `textscreenctl quarantine list`; the message
// bodies are not copied out, only what a row shows. Whether a row offers the force box
// is decided by the same rules the release applies (store/quarantine_release_rules.h).
#include "web/staff_quarantine.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "store/quarantine_release_rules.h"
#include "store/quarantine_store.h"
#include "util/time_format.h"
#include "web/html.h"

namespace ts {
namespace {

constexpr std::size_t kMaxRows = 500;

struct Row {
  std::string ref;
  std::int64_t time = 0;
  std::string mail_from;
  std::string recipients;
  std::string reason;
  std::string released;  // releasedText
  bool released_done = false;
  bool in_progress = false;
};

std::string releaseForm(const StaffRequest& request, const Row& row, bool stale) {
  std::string force;
  if (row.in_progress || stale) {
    force = fmt::format(
        R"(<label class="force"><input type="checkbox" name="force" value="1"> force ({})</label> )",
        row.in_progress ? "interrupted?" : "stale");
  }
  return fmt::format(
      R"(<form class="release" method="post" action="/staff/quarantine/release">{})"
      R"(<input type="hidden" name="ref" value="{}">{}<button type="submit"{}>Release</button>)"
      R"(</form>)",
      csrfField(request), escapeHtml(row.ref), force, row.released_done ? " disabled" : "");
}

}  // namespace

void showStaffQuarantine(const StaffRequest& request, const HttpReply& reply) {
  const WebServices& s = request.services;
  std::vector<Row> rows;
  std::size_t total = 0;
  store::ReadTransaction txn(*s.store);
  if (!txn.ok()) {
    reply(errorPage(503, "Quarantine", "The store cannot be read just now; try again in a minute.",
                    PageKind::kStaff));
    return;
  }
  auto scanned = store::QuarantineStore::forEach(
      txn.get(), s.store->dbs(), [&](const store::QuarantineRecord& q) {
        ++total;
        rows.push_back(
            Row{q.ref, q.time, q.mail_from, fmt::format("{}", fmt::join(q.recipients, ", ")),
                q.reason, store::releasedText(q), q.released_at != 0, store::releaseInProgress(q)});
        return true;
      });
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.time > b.time; });
  if (rows.size() > kMaxRows) rows.resize(kMaxRows);

  const Config& config = s.config();
  std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  std::int64_t max_age =
      std::chrono::duration_cast<std::chrono::seconds>(config.quarantine_release_max_age).count();
  std::string body_rows;
  for (const Row& row : rows) {
    std::int64_t age = now - row.time;
    bool stale = age > max_age;
    body_rows += fmt::format(
        R"(<tr data-ref="{0}"><td class="ref"><code>{0}</code></td>)"
        R"(<td class="time">{1}<br><span class="muted">{2} ago{3}</span></td>)"
        R"(<td class="from">{4}</td><td class="recipients">{5}</td><td class="reason">{6}</td>)"
        R"(<td class="released">{7}</td><td>{8}</td></tr>)",
        escapeHtml(row.ref), formatTime(row.time), formatAge(age),
        stale && !row.released_done ? ", stale" : "", escapeHtml(row.mail_from),
        escapeHtml(row.recipients), escapeHtml(row.reason), escapeHtml(row.released),
        releaseForm(request, row, stale));
  }
  std::string note;
  if (!scanned) {
    note = fmt::format(R"(<p class="error">Some records could not be read: {}</p>)",
                       escapeHtml(scanned.error().message));
  }
  if (total > rows.size()) {
    note += fmt::format(R"(<p class="muted">The newest {} of {} held messages.</p>)", rows.size(),
                        total);
  }
  std::string body = fmt::format(
      "{}<p>Release sends a held message to its recipients through the gateway, once, and "
      "records who released it, as <code>textscreenctl quarantine release</code> does. A "
      "message held longer than <code>quarantine_release_max_age</code> ({}) is stale: a late "
      "alert confuses people more than a missing one, so it needs the force box. A message "
      "marked <q>WHO (releasing)</q> was being released when that release was cut off: check "
      "the gateway's log for its id, and tick force only if it never arrived.</p>{}"
      "<div class=\"table-wrap\"><table id=\"quarantine\"><thead><tr><th>Reference</th>"
      "<th>Held</th><th>From</th><th>Recipients</th><th>Reason</th><th>Released</th><th></th>"
      "</tr></thead><tbody>{}</tbody></table></div>{}",
      outcomeHtml(request), formatDuration(config.quarantine_release_max_age), note, body_rows,
      rows.empty() ? R"(<p id="quarantine-empty" class="muted">No message is held.</p>)" : "");
  reply(htmlResponse(200, htmlPage({"Quarantine", PageKind::kStaff, request.user}, body)));
}

}  // namespace ts
