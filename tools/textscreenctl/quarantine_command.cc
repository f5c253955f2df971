// `textscreenctl quarantine list|show|delete` (release is in quarantine_release.cc).
// Listings show each message's age: releasing an hours-old alarm confuses people, and
// the operator should see that before deciding.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "command_line.h"
#include "commands.h"
#include "held_message.h"
#include "policy/reference_text.h"
#include "store/decision_log.h"
#include "store/quarantine_store.h"
#include "table.h"
#include "time_text.h"
#include "util/ascii.h"
#include "util/input_checks.h"

namespace ts::ctl {
namespace {

constexpr const char* kHelp =
    "usage: textscreenctl quarantine SUBCOMMAND ...\n"
    "\n"
    "Messages held for review (a quarantine verdict or a ban with --action quarantine).\n"
    "\n"
    "  quarantine list [--domain D] [--reason TEXT] [--since WHEN] [--until WHEN]\n"
    "  quarantine show REF [--raw]\n"
    "  quarantine release REF [--force] [--dry-run] [--by WHO]\n"
    "  quarantine delete REF\n"
    "\n"
    "'textscreenctl quarantine SUBCOMMAND --help' describes each.\n";

bool fromDomain(const store::QuarantineRecord& q, const std::string& domain) {
  std::string d = store::domainOf(q.mail_from);
  return d == domain || (d.size() > domain.size() && d.ends_with("." + domain));
}

int quarantineList(CliContext& ctx, const Args& args) {
  po::options_description options("Options");
  options.add_options()("domain", po::value<std::string>()->value_name("DOMAIN"),
                        "only mail from this sender domain or its subdomains")(
      "reason", po::value<std::string>()->value_name("TEXT"),
      "only messages whose reason contains this text")(
      "since", po::value<std::string>()->value_name("WHEN"),
      "held since then: a span (24h) or a UTC date")(
      "until", po::value<std::string>()->value_name("WHEN"),
      "held before then: a span ago (1h) or a UTC date");
  ParsedCommand cmd;
  CommandSpec spec{"quarantine list", "[--domain D] [--reason TEXT] [--since WHEN] [--until WHEN]",
                   "Lists held messages, newest first: reference id, age, sender, recipients, "
                   "reason, and who released it.",
                   0, 0};
  if (auto stop = parseCommand(ctx, spec, options, args, cmd)) return *stop;
  std::int64_t now = ctx.now();
  std::string domain;
  if (cmd.has("domain")) {
    auto d = normaliseDomain(cmd.get("domain"));
    if (!d) return usageError(d.error().message);
    domain = *d;
  }
  std::int64_t since = 0, until = 0;
  for (auto [option, out] : {std::pair{"since", &since}, std::pair{"until", &until}}) {
    if (!cmd.has(option)) continue;
    auto t = parseWhen(cmd.get(option), now, Relative::kBack);
    if (!t) return usageError(fmt::format("--{}: {}", option, t.error().message));
    *out = *t;
  }
  std::string reason = asciiLower(cmd.get("reason"));
  store::StoreEnvironment* store = ctx.store();
  if (!store) return kExitFailure;
  std::vector<store::QuarantineRecord> held;
  {
    store::ReadTransaction txn(*store);
    if (!txn.ok()) return ctx.storeFailure("read the store", txn.beginError());
    auto status =
        store::QuarantineStore::forEach(txn.get(), store->dbs(), [&](store::QuarantineRecord q) {
          if (!domain.empty() && !fromDomain(q, domain)) return true;
          if (!reason.empty() && asciiLower(q.reason).find(reason) == std::string::npos)
            return true;
          if (q.time < since || (until != 0 && q.time >= until)) return true;
          q.message.clear();  // a listing needs the envelope only
          held.push_back(std::move(q));
          return true;
        });
    if (!status) return failure(status.error().message);
  }
  std::stable_sort(held.begin(), held.end(),
                   [](const auto& a, const auto& b) { return a.time > b.time; });
  if (ctx.json()) {
    for (const auto& q : held) {
      nlohmann::json j = store::toJson(q, false);
      j["age_seconds"] = now - q.time;
      fmt::print("{}\n", j.dump());
    }
    return kExitOk;
  }
  if (held.empty()) {
    bool filtered = cmd.has("domain") || cmd.has("reason") || cmd.has("since") || cmd.has("until");
    fmt::print(stderr, "no quarantined messages{}\n", filtered ? " match" : "");
    return kExitOk;
  }
  // The reason last: it is the long column.
  Table table({"REF", "AGE", "FROM", "TO", "RELEASED", "REASON"});
  for (const auto& q : held) {
    table.add({q.ref, formatAge(now - q.time), "<" + q.mail_from + ">",
               fmt::format("{}", fmt::join(q.recipients, ",")), releasedText(q), q.reason});
  }
  table.print();
  return kExitOk;
}

int quarantineShow(CliContext& ctx, const Args& args) {
  po::options_description options("Options");
  options.add_options()("raw", "only the message, exactly as it would be released");
  ParsedCommand cmd;
  CommandSpec spec{"quarantine show", "REF [--raw]",
                   "Shows a held message: envelope, reason, age, release state and the message.", 1,
                   1};
  if (auto stop = parseCommand(ctx, spec, options, args, cmd)) return *stop;
  auto held = loadHeld(ctx, cmd.args[0]);
  if (!held.record) return held.exit_code;
  const store::QuarantineRecord& q = *held.record;
  if (cmd.has("raw")) {
    std::cout.write(q.message.data(), static_cast<std::streamsize>(q.message.size()));
    std::cout.flush();
    return kExitOk;
  }
  if (ctx.json()) {
    fmt::print("{}\n", store::toJson(q, true).dump());
    return kExitOk;
  }
  std::int64_t now = ctx.now();
  fmt::print("reference:   {}\n", q.ref);
  fmt::print("held since:  {} ({} ago)\n", formatTime(q.time), formatAge(now - q.time));
  fmt::print("client:      {}\n", q.client);
  fmt::print("helo:        {}\n", q.helo);
  fmt::print("mail from:   <{}>\n", q.mail_from);
  fmt::print("recipients:  {}\n", fmt::join(q.recipients, ", "));
  fmt::print("reason:      {}\n", q.reason);
  fmt::print("size:        {} bytes\n", q.message.size());
  fmt::print("released:    {}\n\n", releasedText(q));
  std::cout.write(q.message.data(), static_cast<std::streamsize>(q.message.size()));
  std::cout.flush();
  return kExitOk;
}

int quarantineDelete(CliContext& ctx, const Args& args) {
  po::options_description options;
  ParsedCommand cmd;
  CommandSpec spec{"quarantine delete", "REF",
                   "Deletes a held message for good (it is never delivered).", 1, 1};
  if (auto stop = parseCommand(ctx, spec, options, args, cmd)) return *stop;
  auto ref = parseReference(cmd.args[0]);
  if (!ref) return usageError(ref.error().message);
  store::StoreEnvironment* store = ctx.store();
  if (!store) return kExitFailure;
  store::WriteTransaction txn(*store);
  if (!txn.ok()) return ctx.storeFailure("write the store", txn.beginError());
  int rc = store::QuarantineStore::remove(txn.get(), store->dbs(), *ref);
  if (rc == MDB_NOTFOUND) return failure(notHeldMessage(*ref));
  if (rc == 0) rc = txn.commit();
  if (rc != 0) return failure("cannot delete: " + store::storeError(rc));
  if (ctx.json()) {
    fmt::print("{}\n", nlohmann::json{{"deleted", *ref}}.dump());
  } else {
    fmt::print("deleted {}\n", *ref);
  }
  return kExitOk;
}

}  // namespace

int runQuarantine(CliContext& ctx, const Args& args) {
  if (auto stop =
          checkSubcommand("quarantine", kHelp, args, {"list", "show", "release", "delete"})) {
    return *stop;
  }
  Args rest(args.begin() + 1, args.end());
  if (args[0] == "list") return quarantineList(ctx, rest);
  if (args[0] == "show") return quarantineShow(ctx, rest);
  if (args[0] == "release") return runQuarantineRelease(ctx, rest);
  return quarantineDelete(ctx, rest);
}

}  // namespace ts::ctl
