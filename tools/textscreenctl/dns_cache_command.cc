// `textscreenctl dns-cache list|clear`: the daemon's DNS answers (STYLE.md 8: every
// cache can be listed and cleared). Clearing is the remedy when a sender has fixed its
// PTR or been delisted and should not wait for the old answer's TTL.
#include <fmt/format.h>

#include "command_line.h"
#include "commands.h"
#include "control_client.h"
#include "table.h"

namespace ts::ctl {
namespace {

constexpr const char* kHelp =
    "usage: textscreenctl dns-cache SUBCOMMAND\n"
    "\n"
    "The running daemon's cache of DNS answers (PTR, A, DNS lists, ...).\n"
    "\n"
    "  dns-cache list    every cached answer with its status and the seconds it has left\n"
    "  dns-cache clear   forget every answer: the next lookups ask DNS again\n";

int dnsCacheList(CliContext& ctx, const Args& args) {
  po::options_description options;
  ParsedCommand cmd;
  CommandSpec spec{"dns-cache list", "", "Lists the daemon's cached DNS answers.", 0, 0};
  if (auto stop = parseCommand(ctx, spec, options, args, cmd)) return *stop;
  const Config* config = ctx.config();
  if (!config) return kExitFailure;
  auto j = askDaemon(config->controlSocketPath(), "dns-cache list");
  if (!j) return kExitFailure;
  const nlohmann::json& entries = (*j)["entries"];
  if (ctx.json()) {
    for (const nlohmann::json& e : entries) fmt::print("{}\n", e.dump());
    return kExitOk;
  }
  Table table({"NAME", "TYPE", "STATUS", "TTL", "RECORDS"});
  for (const nlohmann::json& e : entries) {
    std::string records;
    for (const nlohmann::json& r : e.value("records", nlohmann::json::array())) {
      if (!records.empty()) records += ", ";
      records += r.is_string() ? r.get<std::string>() : r.dump();
    }
    table.add({e.value("name", ""), e.value("type", ""), e.value("status", ""),
               std::to_string(e.value("ttl_seconds", 0)) + "s", records});
  }
  table.printOr("the DNS cache is empty");
  return kExitOk;
}

int dnsCacheClear(CliContext& ctx, const Args& args) {
  po::options_description options;
  ParsedCommand cmd;
  CommandSpec spec{"dns-cache clear", "", "Forgets every cached DNS answer.", 0, 0};
  if (auto stop = parseCommand(ctx, spec, options, args, cmd)) return *stop;
  const Config* config = ctx.config();
  if (!config) return kExitFailure;
  auto j = askDaemon(config->controlSocketPath(), "dns-cache clear");
  if (!j) return kExitFailure;
  if (ctx.json()) {
    fmt::print("{}\n", j->dump());
  } else {
    fmt::print("cleared {} DNS answers\n", j->value("cleared", 0));
  }
  return kExitOk;
}

}  // namespace

int runDnsCache(CliContext& ctx, const Args& args) {
  if (auto stop = checkSubcommand("dns-cache", kHelp, args, {"list", "clear"})) return *stop;
  Args rest(args.begin() + 1, args.end());
  if (args[0] == "list") return dnsCacheList(ctx, rest);
  return dnsCacheClear(ctx, rest);
}

}  // namespace ts::ctl
