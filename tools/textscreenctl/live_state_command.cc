// `textscreenctl surge|penalty|counters list|clear`: the daemon's in-process state that a
// postmaster must be able to see and end (DESIGN.md "Lessons": every penalty, surge and
// counter has a clear button). The three groups differ only in their columns, so one
// table of descriptions drives them.
#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <functional>

#include "command_line.h"
#include "commands.h"
#include "control_client.h"
#include "table.h"
#include "time_text.h"

namespace ts::ctl {
namespace {

struct LiveGroup {
  std::string_view name;       // "surge": the command and the daemon request
  std::string_view help;       // the group's --help
  std::string_view list_key;   // where the daemon's answer holds the entries
  std::string_view clear_arg;  // "[ID]"
  std::string_view noun;       // "surges", for "cleared 3 surges"
  const char* empty;           // said when there is nothing to list
  std::vector<std::string> columns;
  std::function<std::vector<std::string>(const nlohmann::json&, std::int64_t now)> row;
};

std::int64_t secondsLeft(const nlohmann::json& e, const char* field, std::int64_t now) {
  return std::max<std::int64_t>(0, e.value(field, std::int64_t{0}) - now);
}

const LiveGroup kSurge{
    "surge",
    "usage: textscreenctl surge SUBCOMMAND\n"
    "\n"
    "Campaign clusters and client networks in surge mode: their unauthenticated mail is\n"
    "deferred (451 4.7.1), a confirmed campaign refused or quarantined. A surge ends by\n"
    "itself once its messages stop; clear ends it now.\n"
    "\n"
    "  surge list         every active surge, its level and counts\n"
    "  surge clear [ID]   end one surge (an id from list), or all\n",
    "surges",
    "[ID]",
    "surges",
    "no surge is active",
    {"ID", "LEVEL", "SINCE", "ENDS IN", "MESSAGES", "NETWORKS", "SENDERS", "RECIPIENTS"},
    [](const nlohmann::json& e, std::int64_t now) {
      return std::vector<std::string>{e.value("id", ""),
                                      e.value("level", ""),
                                      formatTime(e.value("since", std::int64_t{0})),
                                      formatAge(secondsLeft(e, "ends", now)),
                                      std::to_string(e.value("messages", 0)),
                                      std::to_string(e.value("networks", 0)),
                                      std::to_string(e.value("senders", 0)),
                                      std::to_string(e.value("recipients", 0))};
    }};

const LiveGroup kPenalty{
    "penalty",
    "usage: textscreenctl penalty SUBCOMMAND\n"
    "\n"
    "Client addresses sent away for abuse (too many errors, RSETs or refused recipients):\n"
    "until their penalty ends, their connections get 421 4.7.0.\n"
    "\n"
    "  penalty list              every penalised address, why, and for how long\n"
    "  penalty clear [ADDRESS]   lift one address's penalty, or all\n",
    "penalties",
    "[ADDRESS]",
    "penalties",
    "no client is in the penalty box",
    {"CLIENT", "SINCE", "ENDS IN", "REASON"},
    [](const nlohmann::json& e, std::int64_t now) {
      return std::vector<std::string>{
          e.value("client", ""), formatTime(e.value("since", std::int64_t{0})),
          formatAge(secondsLeft(e, "until", now)), e.value("reason", "")};
    }};

const LiveGroup kCounters{
    "counters",
    "usage: textscreenctl counters SUBCOMMAND\n"
    "\n"
    "The rate, abuse and surge counters (keys like rate:domain:example.com,\n"
    "rate:client:192.0.2.1, rate:rcpt:14155551212). Clearing a key gives its sender a\n"
    "fresh allowance at once.\n"
    "\n"
    "  counters list [PREFIX]    the counters whose key starts with PREFIX (all without)\n"
    "  counters clear [PREFIX]   forget them\n",
    "counters",
    "[PREFIX]",
    "counters",
    "no counter matches",
    {"KEY", "KIND", "VALUE", "EXPIRES IN"},
    [](const nlohmann::json& e, std::int64_t) {
      return std::vector<std::string>{e.value("key", ""), e.value("kind", ""),
                                      std::to_string(e.value("value", 0)),
                                      formatAge(e.value("expires_in", std::int64_t{0}))};
    }};

int listLive(CliContext& ctx, const LiveGroup& group, const Args& args) {
  po::options_description options;
  ParsedCommand cmd;
  std::string name = fmt::format("{} list", group.name);
  std::string summary = fmt::format("Lists the daemon's active {}.", group.noun);
  bool takes_prefix = group.name == "counters";
  CommandSpec spec{name, takes_prefix ? group.clear_arg : "", summary, 0, takes_prefix ? 1u : 0u};
  if (auto stop = parseCommand(ctx, spec, options, args, cmd)) return *stop;
  const Config* config = ctx.config();
  if (!config) return kExitFailure;
  std::string request = name + (cmd.args.empty() ? "" : " " + cmd.args[0]);
  auto j = askDaemon(config->controlSocketPath(), request);
  if (!j) return kExitFailure;
  const nlohmann::json& entries = (*j)[std::string(group.list_key)];
  if (ctx.json()) {
    for (const nlohmann::json& e : entries) fmt::print("{}\n", e.dump());
    return kExitOk;
  }
  Table table(group.columns);
  std::int64_t now = std::time(nullptr);
  for (const nlohmann::json& e : entries) table.add(group.row(e, now));
  table.printOr(group.empty);
  return kExitOk;
}

int clearLive(CliContext& ctx, const LiveGroup& group, const Args& args) {
  po::options_description options;
  ParsedCommand cmd;
  std::string name = fmt::format("{} clear", group.name);
  std::string summary = fmt::format("Ends one of the {}, or all of them.", group.noun);
  CommandSpec spec{name, group.clear_arg, summary, 0, 1};
  if (auto stop = parseCommand(ctx, spec, options, args, cmd)) return *stop;
  const Config* config = ctx.config();
  if (!config) return kExitFailure;
  std::string target = cmd.args.empty() ? "" : cmd.args[0];
  auto j = askDaemon(config->controlSocketPath(), target.empty() ? name : name + " " + target);
  if (!j) return kExitFailure;
  std::size_t cleared = j->value("cleared", std::size_t{0});
  if (ctx.json()) {
    fmt::print("{}\n", j->dump());
  } else if (cleared == 0 && !target.empty()) {
    fmt::print(stderr, "nothing matched '{}'; see 'textscreenctl {} list'\n", target, group.name);
    return kExitFailure;
  } else {
    fmt::print("cleared {} {}\n", cleared, group.noun);
  }
  return kExitOk;
}

int runLive(CliContext& ctx, const LiveGroup& group, const Args& args) {
  if (auto stop = checkSubcommand(group.name, group.help, args, {"list", "clear"})) return *stop;
  Args rest(args.begin() + 1, args.end());
  if (args[0] == "list") return listLive(ctx, group, rest);
  return clearLive(ctx, group, rest);
}

}  // namespace

int runSurge(CliContext& ctx, const Args& args) {
  return runLive(ctx, kSurge, args);
}

int runPenalty(CliContext& ctx, const Args& args) {
  return runLive(ctx, kPenalty, args);
}

int runCounters(CliContext& ctx, const Args& args) {
  return runLive(ctx, kCounters, args);
}

}  // namespace ts::ctl
