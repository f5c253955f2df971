// `textscreenctl allow add|del|list|show`: the allowlist of business domains. Each change
// is one small write transaction; the daemon reads the store per transaction, so the
// next message already sees it.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>

#include "command_line.h"
#include "commands.h"
#include "store/allowlist_store.h"
#include "table.h"
#include "time_text.h"
#include "util/input_checks.h"

namespace ts::ctl {
namespace {

constexpr const char* kHelp =
    "usage: textscreenctl allow SUBCOMMAND ...\n"
    "\n"
    "The allowlist of business domains. An entry trusts a domain's mail only when the\n"
    "sender is authenticated for it (SPF pass, or a DKIM pass with an aligned d=), and\n"
    "only for the recipients in its scope; others are screened as usual.\n"
    "\n"
    "  allow add DOMAIN [--subdomains] [--scope LIST] [--expires WHEN] [--note TEXT] [--by WHO]\n"
    "  allow del DOMAIN\n"
    "  allow list\n"
    "  allow show DOMAIN\n"
    "  allow import FILE [--format csv|jsonl]\n"
    "  allow export [FILE] [--format csv|jsonl]\n"
    "\n"
    "'textscreenctl allow SUBCOMMAND --help' describes each.\n";

std::string scopeText(const store::AllowEntry& e) {
  return e.scope.empty() ? std::string("all") : fmt::format("{}", fmt::join(e.scope, ","));
}

std::string expiresText(const store::AllowEntry& e, std::int64_t now) {
  if (e.expires == 0) return "never";
  return formatTime(e.expires) + (e.expired(now) ? " (expired)" : "");
}

// The entry for exactly this domain, ignoring expiry (an operator may look at or
// replace an expired entry).
Result<std::optional<store::AllowEntry>> exactEntry(MDB_txn* txn, const store::Databases& dbs,
                                                    const std::string& domain) {
  auto found = store::AllowlistStore::find(txn, dbs, domain, 0);
  if (!found) return found;
  if (*found && (*found)->domain != domain) return std::optional<store::AllowEntry>();
  return found;
}

int allowAdd(CliContext& ctx, const Args& args) {
  po::options_description options("Options");
  options.add_options()("subdomains", "also cover every subdomain (mail.DOMAIN, a.b.DOMAIN)")(
      "scope", po::value<std::string>()->value_name("LIST"),
      "recipient numbers the entry covers, comma separated; a prefix ends in '*' "
      "(e.g. 1415555*,14155551212); default: all")(
      "expires", po::value<std::string>()->value_name("WHEN"),
      "when the entry lapses: a span (30d) or a UTC date")(
      "note", po::value<std::string>()->value_name("TEXT"),
      "why the entry exists (ticket, contact)")("by", po::value<std::string>()->value_name("WHO"),
                                                "who adds it (default: $SUDO_USER or $USER)");
  ParsedCommand cmd;
  CommandSpec spec{"allow add", "DOMAIN [options]",
                   "Adds DOMAIN to the allowlist, or replaces its entry.", 1, 1};
  if (auto stop = parseCommand(ctx, spec, options, args, cmd)) return *stop;
  auto domain = normaliseDomain(cmd.args[0]);
  if (!domain) return usageError(domain.error().message);
  store::AllowEntry entry;
  entry.domain = *domain;
  entry.subdomains = cmd.has("subdomains");
  if (cmd.has("scope")) {
    auto scope = parseScope(cmd.get("scope"), ",");
    if (!scope) return usageError("--scope: " + scope.error().message);
    entry.scope = std::move(*scope);
  }
  std::int64_t now = ctx.now();
  if (cmd.has("expires")) {
    auto expires = parseFutureTime(cmd.get("expires"), now);
    if (!expires) return usageError("--expires: " + expires.error().message);
    entry.expires = *expires;
  }
  entry.note = cmd.get("note");
  if (auto ok = checkOneLine("--note", entry.note, 1000, false); !ok) {
    return usageError(ok.error().message);
  }
  entry.added_by = CliContext::who(cmd.get("by"));
  entry.created = now;

  store::StoreEnvironment* store = ctx.store();
  if (!store) return kExitFailure;
  store::WriteTransaction txn(*store);
  if (!txn.ok()) return ctx.storeFailure("write the store", txn.beginError());
  auto existing = exactEntry(txn.get(), store->dbs(), entry.domain);
  bool replaced = existing && *existing;
  int rc = store::AllowlistStore::put(txn.get(), store->dbs(), entry);
  if (rc == 0) rc = txn.commit();
  if (rc != 0) return ctx.storeFailure("write the allowlist", rc);
  if (ctx.json()) {
    fmt::print("{}\n", store::toJson(entry).dump());
  } else {
    fmt::print("{} {}{} (scope {}, expires {}) by {}\n", replaced ? "replaced" : "added",
               entry.domain, entry.subdomains ? " and its subdomains" : "", scopeText(entry),
               expiresText(entry, now), entry.added_by);
  }
  return kExitOk;
}

int allowDel(CliContext& ctx, const Args& args) {
  po::options_description options;
  ParsedCommand cmd;
  CommandSpec spec{"allow del", "DOMAIN", "Removes DOMAIN's allowlist entry.", 1, 1};
  if (auto stop = parseCommand(ctx, spec, options, args, cmd)) return *stop;
  auto domain = normaliseDomain(cmd.args[0]);
  if (!domain) return usageError(domain.error().message);
  store::StoreEnvironment* store = ctx.store();
  if (!store) return kExitFailure;
  store::WriteTransaction txn(*store);
  if (!txn.ok()) return ctx.storeFailure("write the store", txn.beginError());
  int rc = store::AllowlistStore::remove(txn.get(), store->dbs(), *domain);
  if (rc == MDB_NOTFOUND) {
    return failure(
        fmt::format("no allowlist entry for {} (see 'textscreenctl allow list')", *domain));
  }
  if (rc == 0) rc = txn.commit();
  if (rc != 0) return ctx.storeFailure("write the allowlist", rc);
  if (ctx.json()) {
    fmt::print("{}\n", nlohmann::json{{"removed", *domain}}.dump());
  } else {
    fmt::print("removed {}\n", *domain);
  }
  return kExitOk;
}

int allowList(CliContext& ctx, const Args& args) {
  po::options_description options;
  ParsedCommand cmd;
  CommandSpec spec{"allow list", "",
                   "Lists every allowlist entry (expired ones too, marked so); --json gives "
                   "one JSON object per line, the format 'allow import --format jsonl' reads.",
                   0, 0};
  if (auto stop = parseCommand(ctx, spec, options, args, cmd)) return *stop;
  store::StoreEnvironment* store = ctx.store();
  if (!store) return kExitFailure;
  store::ReadTransaction txn(*store);
  if (!txn.ok()) return ctx.storeFailure("read the store", txn.beginError());
  std::int64_t now = ctx.now();
  Table table({"DOMAIN", "SUBDOMAINS", "SCOPE", "EXPIRES", "ADDED BY", "CREATED", "NOTE"});
  auto status =
      store::AllowlistStore::forEach(txn.get(), store->dbs(), [&](const store::AllowEntry& e) {
        if (ctx.json()) {
          fmt::print("{}\n", store::toJson(e).dump());
        } else {
          table.add({e.domain, e.subdomains ? "yes" : "no", scopeText(e), expiresText(e, now),
                     e.added_by, formatTime(e.created), e.note});
        }
        return true;
      });
  if (!status) return failure(status.error().message);
  if (!ctx.json()) table.printOr("the allowlist is empty");
  return kExitOk;
}

int allowShow(CliContext& ctx, const Args& args) {
  po::options_description options;
  ParsedCommand cmd;
  CommandSpec spec{"allow show", "DOMAIN",
                   "Shows the allowlist entry that covers DOMAIN: its own, or a parent's that "
                   "covers subdomains.",
                   1, 1};
  if (auto stop = parseCommand(ctx, spec, options, args, cmd)) return *stop;
  auto domain = normaliseDomain(cmd.args[0]);
  if (!domain) return usageError(domain.error().message);
  store::StoreEnvironment* store = ctx.store();
  if (!store) return kExitFailure;
  store::ReadTransaction txn(*store);
  if (!txn.ok()) return ctx.storeFailure("read the store", txn.beginError());
  auto found = store::AllowlistStore::find(txn.get(), store->dbs(), *domain, 0);
  if (!found) return failure(found.error().message);
  if (!*found)
    return failure(
        fmt::format("{} is not on the allowlist (see 'textscreenctl allow list')", *domain));
  const store::AllowEntry& e = **found;
  std::int64_t now = ctx.now();
  if (ctx.json()) {
    fmt::print("{}\n", store::toJson(e).dump());
    return kExitOk;
  }
  if (e.domain != *domain) {
    fmt::print("{} is covered by the entry for {} (with subdomains)\n\n", *domain, e.domain);
  }
  fmt::print("domain:      {}\n", e.domain);
  fmt::print("subdomains:  {}\n", e.subdomains ? "yes" : "no");
  fmt::print("scope:       {}\n", scopeText(e));
  fmt::print("expires:     {}\n", expiresText(e, now));
  fmt::print("added by:    {}\n", e.added_by);
  fmt::print("created:     {}\n", formatTime(e.created));
  fmt::print("note:        {}\n", e.note.empty() ? "-" : e.note);
  return kExitOk;
}

}  // namespace

int runAllow(CliContext& ctx, const Args& args) {
  if (auto stop = checkSubcommand("allow", kHelp, args,
                                  {"add", "del", "list", "show", "import", "export"})) {
    return *stop;
  }
  Args rest(args.begin() + 1, args.end());
  const std::string& sub = args[0];
  if (sub == "add") return allowAdd(ctx, rest);
  if (sub == "del") return allowDel(ctx, rest);
  if (sub == "list") return allowList(ctx, rest);
  if (sub == "show") return allowShow(ctx, rest);
  if (sub == "import") return runAllowImport(ctx, rest);
  return runAllowExport(ctx, rest);
}

}  // namespace ts::ctl
