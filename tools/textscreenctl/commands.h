// The command groups of textscreenctl; each takes the arguments after its own name and
// returns the process exit code.
#pragma once

#include <string>
#include <vector>

#include "cli_context.h"

namespace ts::ctl {

using Args = std::vector<std::string>;

int runAllow(CliContext& ctx, const Args& args);
int runAllowImport(CliContext& ctx, const Args& args);
int runAllowExport(CliContext& ctx, const Args& args);
int runBan(CliContext& ctx, const Args& args);
int runCounters(CliContext& ctx, const Args& args);
int runDnsCache(CliContext& ctx, const Args& args);
int runLookup(CliContext& ctx, const Args& args);
int runPenalty(CliContext& ctx, const Args& args);
int runQuarantine(CliContext& ctx, const Args& args);
int runQuarantineRelease(CliContext& ctx, const Args& args);
int runStats(CliContext& ctx, const Args& args);
int runStatus(CliContext& ctx, const Args& args);
int runSurge(CliContext& ctx, const Args& args);

}  // namespace ts::ctl
