// One read transaction per lookup; the decision log is keyed by reference id, so a
// lookup is one get, never a scan. Every string from the record is redacted (addresses,
// numbers) and escaped: the sender chose the HELO name and the addresses.
#include "web/why_page.h"

#include <fmt/format.h>

#include <ctime>

#include "policy/reference_id.h"
#include "store/decision_log.h"
#include "util/ascii.h"
#include "web/check_explanations.h"
#include "web/html.h"
#include "web/public_redaction.h"
#include "web/recipient_mask.h"

namespace ts {
namespace {

// A pasted value is echoed back into the form; a page is no place for a megabyte of it.
constexpr std::size_t kEchoLimit = 64;
constexpr std::size_t kRecipientsShown = 10;

constexpr std::string_view kForm =
    R"(<form id="why-form" method="get" action="/why"><label for="ref">Reference id from the )"
    R"(refusal (like ts-5xk2q7m9d3hfa)</label> <input id="ref" name="ref" type="text" )"
    R"(autocomplete="off" spellcheck="false" maxlength="64" value="{}"> <button )"
    R"(id="why-submit" type="submit">Explain</button></form>)";

HttpResponse page(int status, std::string_view ref, std::string_view result) {
  std::string body =
      fmt::format(kForm, escapeHtml(ref.substr(0, kEchoLimit))) + std::string(result);
  return htmlResponse(status, htmlPage({"Why was my mail refused?", PageKind::kPublic, ""}, body));
}

// "[ts-5xk2q7m9d3hfa]" pasted from a reply, in any case, with spaces around.
std::string cleanReference(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '[')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == ']')) text.remove_suffix(1);
  return asciiLower(text);
}

struct ActionWords {
  std::string_view action;
  std::string_view decision;
  std::string_view meaning;
};

constexpr ActionWords kActions[] = {
    {"reject", "Refused",
     "The message was refused for good: sent again unchanged, it will be refused again."},
    {"tempfail", "Deferred",
     "The message was refused for now: your server keeps it and tries again by itself, and it "
     "goes through once the cause is gone."},
    {"quarantine", "Held for review",
     "The message was accepted and is held for the carrier's staff to review; it is delivered "
     "if they release it."},
    {"relay", "Delivered",
     "The message was accepted and passed on for delivery (to the SMS gateway or service)."},
    {"abandoned", "Not completed",
     "Your server went away while sending the message; nothing was delivered."},
};

ActionWords actionWords(std::string_view action) {
  for (const ActionWords& a : kActions) {
    if (a.action == action) return a;
  }
  return {action, action, ""};
}

// Only what went wrong is explained; a pass tells a sender nothing to fix.
bool failed(std::string_view outcome) {
  return outcome != "pass" && outcome != "none" && outcome != "neutral";
}

std::string_view outcomeWords(std::string_view outcome) {
  if (outcome == "fail") return "failed";
  if (outcome == "softfail") return "failed softly";
  if (outcome == "temperror") return "could not be completed just now";
  if (outcome == "permerror") return "found a broken record";
  return outcome;
}

std::string agoWords(std::int64_t seconds) {
  auto count = [](std::int64_t n, std::string_view unit) {
    return fmt::format("{} {}{} ago", n, unit, n == 1 ? "" : "s");
  };
  if (seconds < 0) return "just now";
  if (seconds < 60) return count(seconds, "second");
  if (seconds < 3600) return count(seconds / 60, "minute");
  if (seconds < 86400) return count(seconds / 3600, "hour");
  return count(seconds / 86400, "day");
}

std::string timeHtml(std::int64_t time, std::chrono::system_clock::time_point now) {
  std::time_t t = static_cast<std::time_t>(time);
  std::tm utc{};
  gmtime_r(&t, &utc);
  std::int64_t age =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count() - time;
  return fmt::format(
      R"(<time datetime="{0}-{1:02}-{2:02}T{3:02}:{4:02}:{5:02}Z">{0}-{1:02}-{2:02} )"
      R"({3:02}:{4:02}:{5:02} UTC</time> ({6}))",
      utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
      agoWords(age));
}

std::string recipientsHtml(const std::vector<std::string>& recipients) {
  if (recipients.empty()) return "(none given)";
  std::string out;
  for (std::size_t i = 0; i < recipients.size() && i < kRecipientsShown; ++i) {
    if (i > 0) out += ", ";
    out += escapeHtml(maskRecipient(recipients[i]));
  }
  if (recipients.size() > kRecipientsShown) {
    out += fmt::format(" and {} more", recipients.size() - kRecipientsShown);
  }
  return out;
}

// A check's record text is its reason, then what it found in brackets; the deciding
// check's reason is already on the page, so only the finding is repeated.
std::string_view findings(std::string_view detail, std::string_view reason) {
  if (reason.empty() || detail.substr(0, reason.size()) != reason) return detail;
  detail.remove_prefix(reason.size());
  if (detail.starts_with(" [") && detail.ends_with("]")) return detail.substr(2, detail.size() - 3);
  return detail;
}

std::string checksHtml(const std::vector<store::CheckRecord>& checks, std::string_view reason) {
  std::string items;
  for (const store::CheckRecord& c : checks) {
    if (!failed(c.outcome)) continue;
    CheckExplanation e = explainCheck(c.check);
    items +=
        fmt::format(R"(<li class="why-check" data-check="{}"><strong>{}</strong> {}. {} )"
                    R"(<span class="fix">What to do: {}</span>)",
                    escapeHtml(c.check), escapeHtml(e.title), escapeHtml(outcomeWords(c.outcome)),
                    escapeHtml(e.meaning), escapeHtml(e.fix));
    std::string_view found = e.public_findings ? findings(c.detail, reason) : "";
    if (!found.empty()) {
      items += fmt::format(R"( <span class="detail">Found: {}</span>)",
                           escapeHtml(redactForPublic(found)));
    }
    items += "</li>";
  }
  if (items.empty()) {
    return R"(<p id="why-no-checks">No single check failed; the reason above is the whole )"
           R"(answer.</p>)";
  }
  return R"(<h3>What the checks found</h3><ul id="why-checks">)" + items + "</ul>";
}

}  // namespace

std::string WhyPage::resultHtml(const store::DecisionRecord& r,
                                std::chrono::system_clock::time_point now) {
  ActionWords action = actionWords(r.action);
  std::string domain = store::domainOf(r.mail_from);
  std::string domain_html = escapeHtml(redactForPublic(domain));
  if (domain.empty()) {
    domain_html = r.mail_from.empty() ? "(none: the null sender)" : "(none in the sender address)";
  }
  std::string helo_html = r.helo.empty() ? "(none given)" : escapeHtml(redactForPublic(r.helo));
  std::string meaning = action.meaning.empty()
                            ? std::string()
                            : fmt::format(R"(<p id="why-meaning">{}</p>)", action.meaning);
  return fmt::format(R"(<section id="why-result"><h2>Reference {}</h2><dl>)"
                     R"(<dt>When</dt><dd id="why-time">{}</dd>)"
                     R"(<dt>Decision</dt><dd id="why-action">{}</dd>)"
                     R"(<dt>Sender domain</dt><dd id="why-domain">{}</dd>)"
                     R"(<dt>Your server's greeting (HELO)</dt><dd id="why-helo">{}</dd>)"
                     R"(<dt>Recipients</dt><dd id="why-recipients">{}</dd></dl>{})"
                     R"(<h3>Reason</h3><p id="why-reason" class="reason">{}</p>{}</section>)",
                     escapeHtml(r.ref), timeHtml(r.time, now), escapeHtml(action.decision),
                     domain_html, helo_html, recipientsHtml(r.recipients), meaning,
                     escapeHtml(redactForPublic(r.reason)), checksHtml(r.checks, r.reason));
}

void WhyPage::handle(const HttpRequest& request, const HttpReply& reply) {
  std::string given = fieldValue(request.query, "ref");
  if (given.empty()) {
    reply(page(200, "", ""));
    return;
  }
  std::chrono::seconds wait = limiter_.admit(request.peer, services_.config().web.why_rate);
  if (wait.count() > 0) {
    HttpResponse response =
        page(429, given,
             fmt::format(R"(<p id="why-slow-down" class="error">Too many lookups from your )"
                         R"(address; try again in {} seconds.</p>)",
                         wait.count()));
    response.headers.emplace_back("Retry-After", std::to_string(wait.count()));
    reply(std::move(response));
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
  reply(page(200, ref, resultHtml(**found, clock_())));
}

}  // namespace ts
