// `textscreenctl lookup`: what a postmaster needs to answer "why was my mail refused".
// By reference id it shows the whole decision, every check's verdict included; by
// sender domain or recipient it lists the recent decisions, newest first.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "command_line.h"
#include "commands.h"
#include "policy/reference_text.h"
#include "store/decision_log.h"
#include "table.h"
#include "time_text.h"
#include "util/ascii.h"
#include "util/input_checks.h"

namespace ts::ctl {
namespace {

std::string angle(const std::string& address) {
  return "<" + address + ">";
}

void printDecision(const store::DecisionRecord& r, std::int64_t now) {
  std::vector<std::string> to;
  for (const std::string& t : r.recipients) to.push_back(angle(t));
  fmt::print("reference:   {}\n", r.ref);
  fmt::print("time:        {} ({} ago)\n", formatTime(r.time), formatAge(now - r.time));
  fmt::print("client:      {}\n", r.client);
  fmt::print("helo:        {}\n", r.helo);
  fmt::print("mail from:   {}\n", angle(r.mail_from));
  fmt::print("recipients:  {}\n",
             to.empty() ? std::string("(none)") : fmt::format("{}", fmt::join(to, ", ")));
  fmt::print("action:      {}\n", r.action);
  fmt::print("reason:      {}\n", r.reason);
  fmt::print("gateway:     {}\n",
             r.gateway_reply.empty() ? std::string("(not asked)") : r.gateway_reply);
  if (!r.message_id.empty()) fmt::print("message id:  {}\n", r.message_id);
  fmt::print("checks:\n");
  if (r.checks.empty()) {
    fmt::print("  (none ran)\n");
    return;
  }
  Table checks({"  CHECK", "OUTCOME", "SCORE", "DETAIL"});
  for (const store::CheckRecord& c : r.checks) {
    checks.add({"  " + c.check, c.outcome, fmt::format("{:g}", c.score), c.detail});
  }
  checks.print();
}

int lookupReference(CliContext& ctx, const std::string& text) {
  auto ref = parseReference(text);
  if (!ref) return usageError(ref.error().message);
  store::StoreEnvironment* store = ctx.store();
  if (!store) return kExitFailure;
  store::ReadTransaction txn(*store);
  if (!txn.ok()) return ctx.storeFailure("read the store", txn.beginError());
  auto found = store::DecisionLog::get(txn.get(), store->dbs(), *ref);
  if (!found) return failure(found.error().message);
  if (!*found) {
    return failure(fmt::format(
        "no decision with reference id {} (decisions are kept for decision_log_max_age = {}; "
        "check the id, or look in the mail log for older ones)",
        *ref, formatDuration(ctx.config()->decision_log_max_age)));
  }
  if (ctx.json()) {
    fmt::print("{}\n", store::toJson(**found).dump());
  } else {
    printDecision(**found, ctx.now());
  }
  return kExitOk;
}

// Newest first across several index prefixes (a number under each gateway domain).
int listDecisions(CliContext& ctx, bool by_domain, const std::vector<std::string>& keys,
                  const std::string& what, std::int64_t since, std::size_t limit) {
  store::StoreEnvironment* store = ctx.store();
  if (!store) return kExitFailure;
  std::vector<store::DecisionRecord> found;
  {
    store::ReadTransaction txn(*store);
    if (!txn.ok()) return ctx.storeFailure("read the store", txn.beginError());
    auto listed = store::DecisionLog::newestUnder(
        txn.get(), store->dbs(),
        by_domain ? store::DecisionLog::Index::kDomain : store::DecisionLog::Index::kRecipient,
        keys, since, limit);
    if (!listed) return failure(listed.error().message);
    found = std::move(*listed);
  }
  if (ctx.json()) {
    for (const auto& r : found) fmt::print("{}\n", store::toJson(r).dump());
    return kExitOk;
  }
  if (found.empty()) {
    if (since == 0) {
      fmt::print(stderr, "no decisions for {} in the log\n", what);
    } else {
      fmt::print(stderr, "no decisions for {} since {}\n", what, formatTime(since));
    }
    return kExitOk;
  }
  Table table({"TIME", "REF", "ACTION", "FROM", "REASON"});
  for (const auto& r : found) {
    table.add({formatTime(r.time), r.ref, r.action, angle(r.mail_from), r.reason});
  }
  table.print();
  if (found.size() == limit) {
    fmt::print(stderr, "(the newest {}; --limit N shows more)\n", limit);
  }
  return kExitOk;
}

}  // namespace

int runLookup(CliContext& ctx, const Args& args) {
  po::options_description options("Options");
  options.add_options()("domain", po::value<std::string>()->value_name("DOMAIN"),
                        "recent decisions for mail from this sender domain")(
      "recipient", po::value<std::string>()->value_name("NUMBER"),
      "recent decisions for mail to this number (or number@domain)")(
      "since", po::value<std::string>()->value_name("WHEN"),
      "only decisions since then: a span (24h, 7d) or a UTC date (default: all kept)")(
      "limit", po::value<std::size_t>()->value_name("N")->default_value(50),
      "at most this many decisions");
  ParsedCommand cmd;
  CommandSpec spec{"lookup", "REF | --domain DOMAIN | --recipient NUMBER [--since 24h] [--limit N]",
                   "Shows the decision behind a reference id (the [ts-...] in every reply): "
                   "time, client, HELO, envelope, every check's outcome, detail and score, "
                   "the action, the reason and the gateway's reply. With --domain or "
                   "--recipient, lists recent decisions newest first.",
                   0, 1};
  if (auto stop = parseCommand(ctx, spec, options, args, cmd)) return *stop;
  int modes = !cmd.args.empty() + cmd.has("domain") + cmd.has("recipient");
  if (modes != 1) {
    return usageError("lookup needs exactly one of REF, --domain DOMAIN or --recipient NUMBER (" +
                      seeHelp("lookup") + ")");
  }
  if (!cmd.args.empty()) return lookupReference(ctx, cmd.args[0]);
  std::int64_t since = 0;
  if (cmd.has("since")) {
    auto t = parseWhen(cmd.get("since"), ctx.now(), Relative::kBack);
    if (!t) return usageError("--since: " + t.error().message);
    since = *t;
  }
  std::size_t limit = cmd.vm["limit"].as<std::size_t>();
  if (limit == 0) return usageError("--limit must be at least 1");
  if (cmd.has("domain")) {
    auto domain = normaliseDomain(cmd.get("domain"));
    if (!domain) return usageError(domain.error().message);
    return listDecisions(ctx, true, {*domain}, *domain, since, limit);
  }
  std::string recipient = asciiLower(cmd.get("recipient"));
  // The index holds whole recipient addresses; a bare number is looked up under each
  // gateway domain.
  std::vector<std::string> keys;
  if (recipient.find('@') != std::string::npos) {
    keys.push_back(recipient);
  } else {
    if (recipient.empty() || recipient.find_first_not_of("+0123456789") != std::string::npos) {
      return usageError(
          fmt::format("'{}' is not a recipient number (like 14155551212)", recipient));
    }
    const Config* config = ctx.config();
    if (!config) return kExitFailure;
    for (const std::string& d : config->gateway_domains) keys.push_back(recipient + "@" + d);
  }
  return listDecisions(ctx, false, keys, recipient, since, limit);
}

}  // namespace ts::ctl
