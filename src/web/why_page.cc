// One read transaction per lookup; the decision log is keyed by reference id, so a
// lookup is one get, never a scan.
#include "web/why_page.h"

#include <fmt/format.h>

#include "policy/reference_id.h"
#include "store/decision_log.h"
#include "util/ascii.h"
#include "web/html.h"

namespace ts {
namespace {

constexpr std::string_view kForm =
    R"(<form id="why-form" method="get" action="/why"><label for="ref">Reference id from the )"
    R"(refusal (like ts-5xk2q7m9d3hfa)</label> <input id="ref" name="ref" type="text" )"
    R"(autocomplete="off" spellcheck="false" value="{}"> <button id="why-submit" )"
    R"(type="submit">Explain</button></form>)";

HttpResponse page(int status, std::string_view ref, std::string_view result) {
  std::string body = fmt::format(kForm, escapeHtml(ref)) + std::string(result);
  return htmlResponse(status, htmlPage({"Why was my mail refused?", PageKind::kPublic, ""}, body));
}

// "[ts-5xk2q7m9d3hfa]" pasted from a reply, in any case, with spaces around.
std::string cleanReference(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '[')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == ']')) text.remove_suffix(1);
  return asciiLower(text);
}

}  // namespace

void WhyPage::handle(const HttpRequest& request, const HttpReply& reply) {
  std::string given = fieldValue(request.query, "ref");
  if (given.empty()) {
    reply(page(200, "", ""));
    return;
  }
  std::string ref = cleanReference(given);
  if (!isReferenceId(ref)) {
    reply(page(
        400, given,
        R"(<p id="why-malformed" class="error">That is not a reference id: it looks like )"
        R"(ts- followed by 13 letters and digits, in brackets at the end of the refusal.</p>)"));
    return;
  }
  store::ReadTransaction txn(*services_.store);
  if (!txn.ok()) {
    reply(page(503, ref,
               R"(<p id="why-unavailable" class="error">The record cannot be read just now; )"
               R"(try again in a minute.</p>)"));
    return;
  }
  auto found = store::DecisionLog::get(txn.get(), services_.store->dbs(), ref);
  if (!found || !*found) {
    reply(page(404, ref,
               R"(<p id="why-unknown" class="error">No decision with this reference id is on )"
               R"(record. Check the id; decisions are kept for a limited time.</p>)"));
    return;
  }
  const store::DecisionRecord& r = **found;
  std::string result = fmt::format(
      R"(<section id="why-result"><dl><dt>Decision</dt><dd id="why-action">{}</dd>)"
      R"(<dt>Sender domain</dt><dd id="why-domain">{}</dd></dl><p id="why-reason" )"
      R"(class="reason">{}</p></section>)",
      escapeHtml(r.action), escapeHtml(store::domainOf(r.mail_from)), escapeHtml(r.reason));
  reply(page(200, ref, result));
}

}  // namespace ts
