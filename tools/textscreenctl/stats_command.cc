// `textscreenctl stats`: decisions over a time window counted by action and by reason,
// from the decision log, so it works whether or not the daemon is running.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "command_line.h"
#include "commands.h"
#include "store/decision_log.h"
#include "table.h"
#include "time_text.h"

namespace ts::ctl {
namespace {

std::vector<std::pair<std::string, std::size_t>> byCount(
    const std::map<std::string, std::size_t>& m) {
  std::vector<std::pair<std::string, std::size_t>> v(m.begin(), m.end());
  std::stable_sort(v.begin(), v.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return v;
}

// The count first: names vary in length, numbers line up.
void printCounts(const char* title, const std::map<std::string, std::size_t>& counts) {
  Table table({"COUNT", title});
  for (const auto& [name, n] : byCount(counts)) {
    table.add({fmt::format("{:>5}", n), name.empty() ? "-" : name});
  }
  table.print();
}

}  // namespace

int runStats(CliContext& ctx, const Args& args) {
  po::options_description options("Options");
  options.add_options()("since", po::value<std::string>()->value_name("WHEN")->default_value("24h"),
                        "the window: a span (24h, 7d) or a UTC date");
  ParsedCommand cmd;
  CommandSpec spec{"stats", "[--since 24h]",
                   "Counts the decisions since then by action (relay, reject, tempfail, "
                   "quarantine) and by reason.",
                   0, 0};
  if (auto stop = parseCommand(ctx, spec, options, args, cmd)) return *stop;
  std::int64_t now = ctx.now();
  auto since = parseWhen(cmd.vm["since"].as<std::string>(), now, Relative::kBack);
  if (!since) return usageError("--since: " + since.error().message);
  store::StoreEnvironment* store = ctx.store();
  if (!store) return kExitFailure;
  std::map<std::string, std::size_t> actions, reasons;
  std::size_t total = 0;
  {
    store::ReadTransaction txn(*store);
    if (!txn.ok()) return ctx.storeFailure("read the store", txn.beginError());
    auto status = store::DecisionLog::since(txn.get(), store->dbs(), *since,
                                            [&](const store::DecisionRecord& r) {
                                              ++total;
                                              ++actions[r.action];
                                              ++reasons[r.reason];
                                            });
    if (!status) return failure(status.error().message);
  }
  if (ctx.json()) {
    nlohmann::json j{{"since", *since},
                     {"until", now},
                     {"total", total},
                     {"by_action", actions},
                     {"by_reason", reasons}};
    fmt::print("{}\n", j.dump());
    return kExitOk;
  }
  fmt::print("{} decision{} since {} ({} ago)\n", total, total == 1 ? "" : "s", formatTime(*since),
             formatAge(now - *since));
  if (total == 0) return kExitOk;
  fmt::print("\n");
  printCounts("ACTION", actions);
  fmt::print("\n");
  printCounts("REASON", reasons);
  return kExitOk;
}

}  // namespace ts::ctl
