// textscreenctl: the operator's command line for a running textscreen. It edits the
// allowlist and ban lists, explains decisions, handles quarantine, and asks the daemon
// for live state; changes go straight to the shared LMDB store, so no reload is needed.
#include <fmt/format.h>

#include <map>
#include <string>
#include <vector>

#include "commands.h"

namespace {

using ts::ctl::Args;
using ts::ctl::CliContext;

constexpr const char* kUsage =
    "usage: textscreenctl [--config FILE] [--control-socket PATH] [--json] COMMAND [ARGS...]\n"
    "\n"
    "Commands:\n"
    "  allow add|del|list|show|import|export   business domains that are not screened\n"
    "  ban add|del|list                        banned senders, domains, clients, recipients\n"
    "  counters list|clear [PREFIX]            the daemon's rate, abuse and surge counters\n"
    "  dns-cache list|clear                    the daemon's cached DNS answers\n"
    "  lookup REF | --domain D | --recipient N why a message was refused (the [ts-...] id)\n"
    "  penalty list|clear [ADDRESS]            clients in the penalty box for abuse\n"
    "  quarantine list|show|release|delete     messages held for review\n"
    "  stats [--since 24h]                     decisions by action and reason\n"
    "  status                                  the running daemon's state\n"
    "  surge list|clear [ID]                   campaigns and networks in surge mode\n"
    "\n"
    "Global options:\n"
    "  --config FILE  the daemon's configuration (default: $TEXTSCREEN_CONFIG, else\n"
    "                 /etc/textscreen/textscreen.conf)\n"
    "  --control-socket PATH  the daemon to ask, when several share the state_dir\n"
    "                 (default: the configuration's control_socket)\n"
    "  --json         machine output: one JSON object, or JSON lines for lists\n"
    "  --help         this help; 'textscreenctl COMMAND --help' for a command\n"
    "\n"
    "Exit status: 0 done, 1 failed or refused (the message says why), 2 bad arguments.\n";

}  // namespace

int main(int argc, char** argv) {
  ts::ctl::GlobalOptions global;
  int i = 1;
  // Global options come before the command; each command also accepts --json and
  // --config after it, so either order works.
  for (; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--json") {
      global.json = true;
    } else if (a == "--config" || a == "-c") {
      if (i + 1 >= argc) return ts::ctl::usageError("--config needs a FILE");
      global.config_file = argv[++i];
    } else if (a.rfind("--config=", 0) == 0) {
      global.config_file = a.substr(9);
    } else if (a == "--control-socket") {
      if (i + 1 >= argc) return ts::ctl::usageError("--control-socket needs a PATH");
      global.control_socket = argv[++i];
    } else if (a.rfind("--control-socket=", 0) == 0) {
      global.control_socket = a.substr(17);
    } else if (a == "--help" || a == "-h" || a == "help") {
      fmt::print("{}", kUsage);
      return ts::ctl::kExitOk;
    } else if (!a.empty() && a[0] == '-') {
      return ts::ctl::usageError(
          fmt::format("unknown option '{}' (see 'textscreenctl --help')", a));
    } else {
      break;
    }
  }
  if (i >= argc) {
    fmt::print(stderr, "{}", kUsage);
    return ts::ctl::kExitUsage;
  }
  std::string command = argv[i];
  Args args(argv + i + 1, argv + argc);
  CliContext ctx(global);
  static const std::map<std::string, int (*)(CliContext&, const Args&)> kCommands{
      {"allow", ts::ctl::runAllow},           {"ban", ts::ctl::runBan},
      {"dns-cache", ts::ctl::runDnsCache},    {"lookup", ts::ctl::runLookup},
      {"quarantine", ts::ctl::runQuarantine}, {"stats", ts::ctl::runStats},
      {"status", ts::ctl::runStatus},         {"surge", ts::ctl::runSurge},
      {"penalty", ts::ctl::runPenalty},       {"counters", ts::ctl::runCounters},
  };
  auto it = kCommands.find(command);
  if (it == kCommands.end()) {
    return ts::ctl::usageError(fmt::format(
        "unknown command '{}' (allow, ban, counters, dns-cache, lookup, penalty, quarantine, "
        "stats, status, surge; see "
        "'textscreenctl --help')",
        command));
  }
  return it->second(ctx, args);
}
