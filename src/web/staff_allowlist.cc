// Input is checked with textscreenctl's own functions, so the dashboard stores nothing
// the CLI would refuse; the daemon reads the allowlist per transaction, so an entry
// applies from the next MAIL FROM on.
#include "web/staff_allowlist.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <ctime>
#include <vector>

#include "store/allowlist_store.h"
#include "util/input_checks.h"
#include "util/utf8.h"
#include "web/html.h"
#include "web/staff_decision_table.h"
#include "web/staff_store_change.h"

namespace ts {
namespace {

constexpr std::string_view kPage = "/staff/allowlist";
constexpr std::size_t kMaxNote = 1000;  // as `textscreenctl allow add --note`
constexpr std::size_t kMaxShown = 1000;

std::string entryRow(const StaffRequest& request, const store::AllowEntry& e, std::int64_t now) {
  std::string domain = escapeHtml(e.domain);
  std::string scope =
      e.scope.empty() ? std::string("all") : fmt::format("{}", fmt::join(e.scope, ","));
  std::string expires = e.expires == 0
                            ? std::string("never")
                            : staffTime(e.expires) + (e.expired(now) ? " (expired)" : "");
  return fmt::format(
      R"(<tr data-domain="{0}"><td class="domain">{0}</td><td class="subdomains">{1}</td>)"
      R"(<td class="scope">{2}</td><td class="expires">{3}</td><td class="added-by">{4}</td>)"
      R"(<td class="note">{5}</td><td class="created">{6}</td><td><form class="allow-remove" )"
      R"(method="post" action="/staff/allowlist/remove">{7}<input type="hidden" name="domain" )"
      R"(value="{0}"><button type="submit" class="secondary">Remove</button></form></td></tr>)",
      domain, e.subdomains ? "yes" : "no", escapeHtml(scope), escapeHtml(expires),
      escapeHtml(e.added_by), escapeHtml(e.note), escapeHtml(staffTime(e.created)),
      csrfField(request));
}

std::string addForm(const StaffRequest& request) {
  return fmt::format(
      R"(<form id="allow-add" method="post" action="/staff/allowlist/add">{})"
      R"(<label>Domain <input type="text" name="domain" required autocomplete="off" )"
      R"(spellcheck="false" placeholder="dispatch.example"></label> <label><input )"
      R"(type="checkbox" name="subdomains" value="yes"> and its subdomains</label> )"
      R"(<label>Note <input type="text" name="note" maxlength="{}" placeholder="ticket, )"
      R"(contact"></label> <button type="submit">Add</button></form>)"
      R"(<p class="muted">An entry trusts a domain's mail only when the sender is )"
      R"(authenticated for it (SPF pass, or an aligned DKIM pass); others are screened as )"
      R"(usual. Scopes and expiry: <code>textscreenctl allow add</code>.</p>)",
      csrfField(request), kMaxNote);
}

}  // namespace

void showStaffAllowlist(const StaffRequest& request, const HttpReply& reply) {
  std::int64_t now = std::time(nullptr);
  std::string rows;
  std::size_t shown = 0;
  store::ReadTransaction txn(*request.services.store);
  Status<> listed =
      txn.ok() ? store::AllowlistStore::forEach(txn.get(), request.services.store->dbs(),
                                                [&](const store::AllowEntry& e) {
                                                  rows += entryRow(request, e, now);
                                                  return ++shown < kMaxShown;
                                                })
               : Status<>(fail("the store cannot be read: " + store::storeError(txn.beginError())));
  std::string body = outcomeHtml(request) + addForm(request);
  if (!listed) {
    body +=
        fmt::format(R"(<p id="error" class="error">{}</p>)", escapeHtml(listed.error().message));
  }
  body += fmt::format(
      R"(<div class="table-wrap"><table id="allowlist"><thead><tr><th scope="col">Domain</th>)"
      R"(<th scope="col">Subdomains</th><th scope="col">Scope</th><th scope="col">Expires</th>)"
      R"(<th scope="col">Added by</th><th scope="col">Note</th><th scope="col">Created</th>)"
      R"(<th scope="col"></th></tr></thead><tbody>{}</tbody></table></div>)",
      rows);
  if (shown == 0 && listed) body += R"(<p class="muted">The allowlist is empty.</p>)";
  if (shown == kMaxShown) {
    body += fmt::format(
        R"(<p class="muted">The first {} entries; <code>textscreenctl allow list</code> shows )"
        R"(them all.</p>)",
        kMaxShown);
  }
  reply(htmlResponse(listed ? 200 : 503,
                     htmlPage({"Allowlist", PageKind::kStaff, request.user}, body)));
}

void addStaffAllowEntry(const StaffRequest& request, const HttpReply& reply) {
  const FormFields& form = request.http.form;
  auto domain = normaliseDomain(fieldValue(form, "domain"));
  if (!domain) {
    recordStaffChange(request, "allow-add", fieldValue(form, "domain"),
                      "refused: " + domain.error().message);
    reply(backWithError(kPage, domain.error().message));
    return;
  }
  store::AllowEntry entry;
  entry.domain = *domain;
  entry.subdomains = !fieldValue(form, "subdomains").empty();
  entry.note = fieldValue(form, "note");
  // Stored as JSON, which holds only UTF-8.
  Status<> note_ok = isValidUtf8(entry.note)
                         ? checkOneLine("The note", entry.note, kMaxNote, false)
                         : Status<>(fail(std::string("The note is not UTF-8 text")));
  if (!note_ok) {
    recordStaffChange(request, "allow-add", entry.domain, "refused: " + note_ok.error().message);
    reply(backWithError(kPage, note_ok.error().message));
    return;
  }
  entry.added_by = request.user;
  entry.created = std::time(nullptr);
  std::string notice = fmt::format("{}{} is on the allowlist.", entry.domain,
                                   entry.subdomains ? " and its subdomains" : "");
  submitStaffChange(request, reply, {std::string(kPage), "allow-add", entry.domain, notice, {}},
                    [entry](MDB_txn* txn, const store::Databases& dbs) {
                      return store::AllowlistStore::put(txn, dbs, entry);
                    });
}

void removeStaffAllowEntry(const StaffRequest& request, const HttpReply& reply) {
  auto domain = normaliseDomain(fieldValue(request.http.form, "domain"));
  if (!domain) {
    recordStaffChange(request, "allow-remove", fieldValue(request.http.form, "domain"),
                      "refused: " + domain.error().message);
    reply(backWithError(kPage, domain.error().message));
    return;
  }
  std::string d = *domain;
  StaffStoreChange change{
      std::string(kPage), "allow-remove", d, d + " is no longer on the allowlist.", [d](int rc) {
        return rc == MDB_NOTFOUND ? "There is no allowlist entry for " + d + "." : std::string();
      }};
  submitStaffChange(request, reply, std::move(change),
                    [d](MDB_txn* txn, const store::Databases& dbs) {
                      return store::AllowlistStore::remove(txn, dbs, d);
                    });
}

}  // namespace ts
