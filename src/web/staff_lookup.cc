// Staff may see everything a decision holds (client address, full recipients, the
// gateway's reply): this page is behind the staff sign-in, unlike /why. The query is
// read with the CLI's parsers, so both accept and refuse the same input.
#include "web/staff_lookup.h"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>
#include <vector>

#include "policy/reference_text.h"
#include "store/decision_log.h"
#include "util/ascii.h"
#include "util/input_checks.h"
#include "web/html.h"
#include "web/staff_decision_table.h"

namespace ts {
namespace {

constexpr std::size_t kListed = 50;

std::string lookupForm(std::string_view q) {
  return fmt::format(
      R"(<form id="lookup-form" method="get" action="/staff/lookup"><label for="q">Reference )"
      R"(id, sender domain or recipient number</label> <input id="q" name="q" type="text" )"
      R"(value="{}" autocomplete="off" spellcheck="false"> <button type="submit">Look up)"
      R"(</button></form>)",
      escapeHtml(q));
}

HttpResponse page(const StaffRequest& request, int status, std::string_view content) {
  std::string body =
      outcomeHtml(request) + lookupForm(fieldValue(request.http.query, "q")) + std::string(content);
  return htmlResponse(status, htmlPage({"Lookup", PageKind::kStaff, request.user}, body));
}

HttpResponse problem(const StaffRequest& request, int status, std::string_view message) {
  return page(request, status,
              fmt::format(R"(<p id="error" class="error">{}</p>)", escapeHtml(message)));
}

std::string item(std::string_view id, std::string_view name, std::string_view value) {
  return fmt::format(R"(<dt>{}</dt><dd id="{}">{}</dd>)", name, id, escapeHtml(value));
}

std::string decisionHtml(const store::DecisionRecord& r) {
  std::string recipients;
  for (const std::string& to : r.recipients) {
    recipients += (recipients.empty() ? "" : ", ") + ("<" + to + ">");
  }
  std::string facts =
      item("lookup-ref", "Reference", r.ref) + item("lookup-time", "Time", staffTime(r.time)) +
      item("lookup-client", "Client", r.client) + item("lookup-helo", "HELO", r.helo) +
      item("lookup-from", "Mail from", "<" + r.mail_from + ">") +
      item("lookup-recipients", "Recipients", recipients.empty() ? "(none)" : recipients) +
      item("lookup-action", "Action", r.action) + item("lookup-reason", "Reason", r.reason) +
      item("lookup-gateway", "Gateway reply",
           r.gateway_reply.empty() ? "(not asked)" : r.gateway_reply) +
      (r.message_id.empty() ? std::string()
                            : item("lookup-message-id", "SMS message id", r.message_id));
  std::string checks;
  for (const store::CheckRecord& c : r.checks) {
    checks +=
        fmt::format(R"(<tr data-check="{0}"><td class="check">{0}</td><td class="outcome">{1}</td>)"
                    R"(<td class="score">{2}</td><td class="detail">{3}</td></tr>)",
                    escapeHtml(c.check), escapeHtml(c.outcome),
                    escapeHtml(fmt::format("{:g}", c.score)), escapeHtml(c.detail));
  }
  if (checks.empty()) checks = R"(<tr><td colspan="4">No check ran.</td></tr>)";
  return fmt::format(
      R"(<section id="lookup-result"><dl>{}</dl><h2>Checks</h2><div class="table-wrap">)"
      R"(<table id="lookup-checks"><thead><tr><th scope="col">Check</th><th scope="col">)"
      R"(Outcome</th><th scope="col">Score</th><th scope="col">Detail</th></tr></thead>)"
      R"(<tbody>{}</tbody></table></div></section>)",
      facts, checks);
}

void showReference(const StaffRequest& request, const HttpReply& reply, std::string_view q) {
  auto ref = parseReference(q);
  if (!ref) {
    reply(problem(request, 400, ref.error().message));
    return;
  }
  store::ReadTransaction txn(*request.services.store);
  if (!txn.ok()) {
    reply(
        problem(request, 503, "The store cannot be read: " + store::storeError(txn.beginError())));
    return;
  }
  auto found = store::DecisionLog::get(txn.get(), request.services.store->dbs(), *ref);
  if (!found) {
    reply(problem(request, 500, found.error().message));
    return;
  }
  if (!*found) {
    reply(problem(request, 404,
                  fmt::format("No decision with reference id {} (decisions are kept for "
                              "decision_log_max_age; older ones are only in the mail log).",
                              *ref)));
    return;
  }
  reply(page(request, 200, decisionHtml(**found)));
}

// Newest first across the index keys (a number is kept under each gateway domain).
void showListing(const StaffRequest& request, const HttpReply& reply, bool by_domain,
                 const std::vector<std::string>& keys, std::string_view what) {
  store::ReadTransaction txn(*request.services.store);
  if (!txn.ok()) {
    reply(
        problem(request, 503, "The store cannot be read: " + store::storeError(txn.beginError())));
    return;
  }
  auto listed = store::DecisionLog::newestUnder(
      txn.get(), request.services.store->dbs(),
      by_domain ? store::DecisionLog::Index::kDomain : store::DecisionLog::Index::kRecipient, keys,
      0, kListed);
  if (!listed) {
    reply(problem(request, 500, listed.error().message));
    return;
  }
  const std::vector<store::DecisionRecord>& found = *listed;
  std::string note = found.empty() ? fmt::format("No decisions for {} in the log.", what)
                     : found.size() == kListed
                         ? fmt::format("The newest {} decisions for {}.", kListed, what)
                         : fmt::format("Decisions for {}, newest first.", what);
  reply(page(request, 200,
             fmt::format(R"(<section id="lookup-result"><p class="muted">{}</p>{}</section>)",
                         escapeHtml(note), decisionTableHtml(found))));
}

bool looksLikeNumber(std::string_view q) {
  return !q.empty() && q.find_first_not_of("+0123456789") == std::string_view::npos;
}

}  // namespace

void showStaffLookup(const StaffRequest& request, const HttpReply& reply) {
  std::string q = fieldValue(request.http.query, "q");
  while (!q.empty() && q.back() == ' ') q.pop_back();
  while (!q.empty() && q.front() == ' ') q.erase(0, 1);
  if (q.empty()) {
    reply(page(request, 200, ""));
    return;
  }
  std::string lower = asciiLower(q);
  if (lower.rfind("ts-", 0) == 0 || lower.rfind("[ts-", 0) == 0) {
    showReference(request, reply, q);
    return;
  }
  if (looksLikeNumber(q)) {
    std::vector<std::string> keys;
    for (const std::string& d : request.services.config().gateway_domains)
      keys.push_back(q + "@" + d);
    showListing(request, reply, false, keys, q);
    return;
  }
  auto domain = normaliseDomain(q);
  if (!domain) {
    reply(problem(request, 400,
                  domain.error().message +
                      " (give a reference id like ts-5xk2q7m9d3hfa, a sender domain or a "
                      "recipient number)"));
    return;
  }
  showListing(request, reply, true, {*domain}, *domain);
}

}  // namespace ts
