// `textscreenctl status`: asks the running daemon over its control socket (DESIGN.md
// "The control socket") for live state that is not in the store: config generation,
// uptime, connections, store size, DNS cache, the limits' and the checks' counters.
#include <fmt/format.h>

#include "command_line.h"
#include "commands.h"
#include "control_client.h"
#include "time_text.h"

namespace ts::ctl {

int runStatus(CliContext& ctx, const Args& args) {
  po::options_description options;
  ParsedCommand cmd;
  CommandSpec spec{"status", "",
                   "Asks the running daemon for its state: configuration generation, uptime, "
                   "connections, store size, quarantined messages, decisions kept, DNS cache, "
                   "the limits (overload, refused connections, message memory), each "
                   "check's counters, the upstream and the SMS API's results and pause.",
                   0, 0};
  if (auto stop = parseCommand(ctx, spec, options, args, cmd)) return *stop;
  const Config* config = ctx.config();
  if (!config) return kExitFailure;
  auto j = askDaemon(config->controlSocketPath(), "status");
  if (!j) return kExitFailure;
  if (ctx.json()) {
    fmt::print("{}\n", j->dump());
    return kExitOk;
  }
  for (auto it = j->begin(); it != j->end(); ++it) {
    if (it.key() == "checks" && it.value().is_object()) continue;
    std::string value = it.value().is_string() ? it.value().get<std::string>() : it.value().dump();
    if (it.key() == "uptime_seconds" && it.value().is_number_integer()) {
      value += fmt::format(" ({})", formatAge(it.value().get<std::int64_t>()));
    }
    fmt::print("{:<20} {}\n", it.key() + ":", value);
  }
  if (j->contains("checks") && (*j)["checks"].is_object()) {
    for (auto it = (*j)["checks"].begin(); it != (*j)["checks"].end(); ++it) {
      fmt::print("{:<20} {}\n", "check " + it.key() + ":", it.value().dump());
    }
  }
  return kExitOk;
}

}  // namespace ts::ctl
