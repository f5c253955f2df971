// textscreen_loadgen: the project's SMTP load generator. Sends an exact number of messages
// to a server on this host over many concurrent connections and reports throughput and
// latency; see `textscreen_loadgen --help` and doc/performance.md.
#include <fmt/core.h>
#include <sys/resource.h>

#include <csignal>
#include <cstdio>

#include "load_driver.h"
#include "load_options.h"

namespace {

// Thousands of connections need thousands of descriptors; the soft limit is often 1024.
rlim_t raiseFileLimit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return 0;
  if (lim.rlim_cur < lim.rlim_max) {
    rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) return raised.rlim_cur;
  }
  return lim.rlim_cur;
}

}  // namespace

int main(int argc, char** argv) {
  const rlim_t files = raiseFileLimit();
  auto parsed = ts::load::parseLoadOptions(argc, argv);
  if (!parsed.options) {
    std::FILE* to = parsed.exit_code == 0 ? stdout : stderr;
    fmt::print(to, "{}{}\n", parsed.exit_code == 0 ? "" : "textscreen_loadgen: ", parsed.message);
    return parsed.exit_code;
  }
  const ts::load::LoadOptions& o = *parsed.options;
  // Each connection is one descriptor; leave a few for the loop itself and stdio.
  const rlim_t needed = (o.idle > 0 ? o.idle : o.sessions) + 16;
  if (files != RLIM_INFINITY && files < needed) {
    fmt::print(stderr, "textscreen_loadgen: open file limit {} is below the {} needed\n", files,
               needed);
    return 2;
  }
  // A server that closes while we write must not kill the generator before it reports.
  std::signal(SIGPIPE, SIG_IGN);

  ts::load::LoadDriver driver(o);
  if (!driver.run()) {
    fmt::print(stderr, "textscreen_loadgen: could not start the event loop\n");
    return 2;
  }
  auto& stats = driver.stats();
  const bool timed_out = o.idle == 0 && driver.timedOut();
  const double elapsed = driver.elapsedSeconds();
  fmt::print("{}", o.json ? stats.jsonReport(o, elapsed, timed_out)
                          : stats.textReport(o, elapsed, timed_out));
  if (o.idle > 0) return stats.idleReadyCount() == o.idle && stats.idleLostCount() == 0 ? 0 : 1;
  if (stats.failed() > 0) return 1;
  if (stats.accepted() < o.total) return 3;
  return 0;
}
