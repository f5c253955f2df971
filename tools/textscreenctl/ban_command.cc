// `textscreenctl ban add|del|list`: the operator's ban lists. The daemon looks bans up
// at MAIL and RCPT in a fresh read transaction, so a ban applies to the next
// transaction, and its reason is quoted in the refusal.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "command_line.h"
#include "commands.h"
#include "store/ban_store.h"
#include "table.h"
#include "time_text.h"
#include "util/input_checks.h"

namespace ts::ctl {
namespace {

constexpr const char* kHelp =
    "usage: textscreenctl ban SUBCOMMAND ...\n"
    "\n"
    "Ban lists. KIND is one of\n"
    "  sender     an envelope sender address (x@example.org)\n"
    "  domain     a sender domain and all its subdomains (example.org)\n"
    "  client     a client address or network (192.0.2.7, 192.0.2.0/24, 2001:db8::/32)\n"
    "  recipient  a recipient number (14155551212)\n"
    "A ban wins over an allowlist entry. Its reason is quoted in the reply to the sender.\n"
    "\n"
    "  ban add KIND VALUE [--action reject|quarantine] [--reason TEXT] [--expires WHEN] [--by "
    "WHO]\n"
    "  ban del KIND VALUE\n"
    "  ban list [--kind KIND]\n"
    "\n"
    "'textscreenctl ban SUBCOMMAND --help' describes each.\n";

// Enough for a ticket number and a sentence; the whole reply line must stay under 512.
constexpr std::size_t kMaxReason = 200;

const char* hintFor(store::BanKind kind) {
  switch (kind) {
    case store::BanKind::kSender:
      return "an address like x@example.org";
    case store::BanKind::kDomain:
      return "a domain like example.org";
    case store::BanKind::kClient:
      return "an address or a network like 192.0.2.0/24";
    case store::BanKind::kRecipient:
      return "a number like 14155551212";
  }
  return "";
}

// KIND and VALUE as the store keys them, or a usage error naming what is wrong.
Result<std::pair<store::BanKind, std::string>> banTarget(const std::string& kind_text,
                                                         const std::string& value) {
  auto kind = store::parseBanKind(kind_text);
  if (!kind) return fail(kind.error().message);
  auto normal = store::BanStore::normalise(*kind, value);
  if (!normal) {
    return fail(fmt::format("bad {} '{}': {} (give {})", kind_text, value, normal.error().message,
                            hintFor(*kind)));
  }
  // normalise only checks the shape; a domain must also be a name the daemon can match.
  if (*kind == store::BanKind::kDomain || *kind == store::BanKind::kSender) {
    std::string domain =
        *kind == store::BanKind::kDomain ? *normal : normal->substr(normal->rfind('@') + 1);
    if (auto d = normaliseDomain(domain); !d) {
      return fail(fmt::format("bad {} '{}': {}", kind_text, value, d.error().message));
    }
  }
  return std::pair{*kind, *normal};
}

std::string expiresText(const store::BanEntry& e, std::int64_t now) {
  if (e.expires == 0) return "never";
  return formatTime(e.expires) + (e.expired(now) ? " (expired)" : "");
}

int banAdd(CliContext& ctx, const Args& args) {
  po::options_description options("Options");
  options.add_options()("action", po::value<std::string>()->value_name("ACTION"),
                        "reject (the default: 550 5.7.1) or quarantine (250, held for review)")(
      "reason", po::value<std::string>()->value_name("TEXT"),
      "why, quoted in the reply to the sender (plain ASCII, one line)")(
      "expires", po::value<std::string>()->value_name("WHEN"),
      "when the ban lapses: a span (30d) or a UTC date")(
      "by", po::value<std::string>()->value_name("WHO"), "who bans (default: $SUDO_USER or $USER)");
  ParsedCommand cmd;
  CommandSpec spec{"ban add", "KIND VALUE [options]",
                   "Bans a sender, a domain (with subdomains), a client address or network, or "
                   "a recipient number. Replaces an existing ban of the same KIND and VALUE.",
                   2, 2};
  if (auto stop = parseCommand(ctx, spec, options, args, cmd)) return *stop;
  auto target = banTarget(cmd.args[0], cmd.args[1]);
  if (!target) return usageError(target.error().message);
  store::BanEntry ban;
  ban.kind = target->first;
  ban.value = target->second;
  if (cmd.has("action")) {
    auto action = store::parseBanAction(cmd.get("action"));
    if (!action) return usageError("--action: " + action.error().message);
    ban.action = *action;
  }
  ban.reason = cmd.get("reason");
  if (auto ok = checkOneLine("--reason", ban.reason, kMaxReason, true); !ok) {
    return usageError(ok.error().message);
  }
  std::int64_t now = ctx.now();
  if (cmd.has("expires")) {
    auto expires = parseFutureTime(cmd.get("expires"), now);
    if (!expires) return usageError("--expires: " + expires.error().message);
    ban.expires = *expires;
  }
  ban.added_by = CliContext::who(cmd.get("by"));
  ban.created = now;
  store::StoreEnvironment* store = ctx.store();
  if (!store) return kExitFailure;
  store::WriteTransaction txn(*store);
  if (!txn.ok()) return ctx.storeFailure("write the store", txn.beginError());
  int rc = store::BanStore::put(txn.get(), store->dbs(), ban);
  if (rc == 0) rc = txn.commit();
  if (rc != 0) return ctx.storeFailure("write the ban list", rc);
  if (ctx.json()) {
    fmt::print("{}\n", store::toJson(ban).dump());
  } else {
    fmt::print("banned {} {} ({}, expires {}) by {}\n", store::banKindName(ban.kind), ban.value,
               store::banActionName(ban.action), expiresText(ban, now), ban.added_by);
  }
  return kExitOk;
}

int banDel(CliContext& ctx, const Args& args) {
  po::options_description options;
  ParsedCommand cmd;
  CommandSpec spec{"ban del", "KIND VALUE",
                   "Lifts a ban; the next transaction is screened as usual.", 2, 2};
  if (auto stop = parseCommand(ctx, spec, options, args, cmd)) return *stop;
  auto target = banTarget(cmd.args[0], cmd.args[1]);
  if (!target) return usageError(target.error().message);
  store::StoreEnvironment* store = ctx.store();
  if (!store) return kExitFailure;
  store::WriteTransaction txn(*store);
  if (!txn.ok()) return ctx.storeFailure("write the store", txn.beginError());
  int rc = store::BanStore::remove(txn.get(), store->dbs(), target->first, target->second);
  if (rc == MDB_NOTFOUND) {
    return failure(fmt::format("no {} ban for {} (see 'textscreenctl ban list')", cmd.args[0],
                               target->second));
  }
  if (rc == 0) rc = txn.commit();
  if (rc != 0) return ctx.storeFailure("write the ban list", rc);
  if (ctx.json()) {
    fmt::print(
        "{}\n",
        nlohmann::json{{"removed", {{"kind", cmd.args[0]}, {"value", target->second}}}}.dump());
  } else {
    fmt::print("lifted the {} ban on {}\n", cmd.args[0], target->second);
  }
  return kExitOk;
}

int banList(CliContext& ctx, const Args& args) {
  po::options_description options("Options");
  options.add_options()("kind", po::value<std::string>()->value_name("KIND"),
                        "only bans of this kind (sender, domain, client, recipient)");
  ParsedCommand cmd;
  CommandSpec spec{"ban list", "[--kind KIND]", "Lists the bans, expired ones marked so.", 0, 0};
  if (auto stop = parseCommand(ctx, spec, options, args, cmd)) return *stop;
  std::optional<store::BanKind> only;
  if (cmd.has("kind")) {
    auto kind = store::parseBanKind(cmd.get("kind"));
    if (!kind) return usageError("--kind: " + kind.error().message);
    only = *kind;
  }
  store::StoreEnvironment* store = ctx.store();
  if (!store) return kExitFailure;
  store::ReadTransaction txn(*store);
  if (!txn.ok()) return ctx.storeFailure("read the store", txn.beginError());
  std::int64_t now = ctx.now();
  Table table({"KIND", "VALUE", "ACTION", "EXPIRES", "ADDED BY", "CREATED", "REASON"});
  auto status = store::BanStore::forEach(txn.get(), store->dbs(), [&](const store::BanEntry& b) {
    if (only && b.kind != *only) return true;
    if (ctx.json()) {
      fmt::print("{}\n", store::toJson(b).dump());
    } else {
      table.add({std::string(store::banKindName(b.kind)), b.value,
                 std::string(store::banActionName(b.action)), expiresText(b, now), b.added_by,
                 formatTime(b.created), b.reason});
    }
    return true;
  });
  if (!status) return failure(status.error().message);
  if (!ctx.json()) table.printOr("no bans");
  return kExitOk;
}

}  // namespace

int runBan(CliContext& ctx, const Args& args) {
  if (auto stop = checkSubcommand("ban", kHelp, args, {"add", "del", "list"})) return *stop;
  Args rest(args.begin() + 1, args.end());
  if (args[0] == "add") return banAdd(ctx, rest);
  if (args[0] == "del") return banDel(ctx, rest);
  return banList(ctx, rest);
}

}  // namespace ts::ctl
